// Bilibili archives: submission by upload token (with the daily limit of a non-member account), view, list, delete, and the public video page.
import { charLength, htmlPage, isRecord, jsonBody, queryParams } from '../common.js';
import { recordVideo } from '../common/video-oauth.js';
import { BILIBILI_PARTITIONS, STATE_DESC, archiveState, newResourceId, reply0, type Archive } from './platform.js';
import type { BilibiliApi } from './api.js';

/** The partitions an archive may be filed under (the children). */
const leafTids = new Set<number>(BILIBILI_PARTITIONS.flatMap((p) => p.children.map((c) => c.id)));

export function registerArchiveRoutes({ app, ctx, state, opts, limits: L, auth, uploadOf }: BilibiliApi): void {
  const dailyLimit = opts.dailySubmitLimit ?? 5;
  // ---- submit ----------------------------------------------------------------------------
  const today = () => new Date(ctx.clock.now() + 8 * 3600_000).toISOString().slice(0, 10); // Beijing day

  app.post('/arcopen/fn/archive/add-by-utoken', async (req, reply) => {
    const who = auth(req, reply);
    if (!who) return reply;
    const up = uploadOf(req);
    if (!up || up.openId !== who.openId) return reply0(-400, undefined, 'upload_token 无效');
    if (!up.complete) return reply0(-400, undefined, '视频尚未上传完成(分片需先合片)');
    if (up.used) return reply0(-400, undefined, 'upload_token 已被使用');
    const j = jsonBody(req);
    if (!j.ok || !isRecord(j.value)) return reply0(-400, undefined, '请求体应为 JSON');
    const b = j.value;
    const title = typeof b.title === 'string' ? b.title.trim() : '';
    if (title === '') return reply0(-400, undefined, '标题不能为空');
    if (charLength(title) > L.titleChars) return reply0(-400, undefined, `标题不能超过80个字(当前 ${charLength(title)})`);
    const cover = typeof b.cover === 'string' ? b.cover : '';
    const coverKey = cover.split('/bfs/archive/')[1];
    if (!coverKey || !state().covers.has(coverKey)) return reply0(-400, undefined, 'cover 需为封面上传接口返回的地址');
    const tid = Number(b.tid);
    if (!leafTids.has(tid)) return reply0(-400, undefined, 'tid 无效:请使用分区查询接口返回的子分区 id');
    const desc = typeof b.desc === 'string' ? b.desc : '';
    if (charLength(desc) > L.descChars) return reply0(-400, undefined, `简介不能超过250个字(当前 ${charLength(desc)})`);
    const tag = typeof b.tag === 'string' ? b.tag : '';
    const tags = tag
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
    if (tags.length === 0) return reply0(-400, undefined, '至少需要一个标签');
    if (tags.length > L.tagCount) return reply0(-400, undefined, '标签不能超过10个');
    if (tags.some((t) => charLength(t) > L.tagChars)) return reply0(-400, undefined, '单个标签不能超过20个字');
    const copyright = b.copyright === undefined ? 1 : Number(b.copyright);
    if (copyright !== 1 && copyright !== 2) return reply0(-400, undefined, 'copyright 取值 1(自制)或 2(转载)');
    const source = typeof b.source === 'string' ? b.source : '';
    if (copyright === 2 && source.trim() === '') return reply0(-400, undefined, '转载稿件需填写 source');
    if (charLength(source) > L.sourceChars) return reply0(-400, undefined, 'source 不能超过200个字');
    const noReprint = b.no_reprint === undefined ? 0 : Number(b.no_reprint);
    if (noReprint !== 0 && noReprint !== 1) return reply0(-400, undefined, 'no_reprint 取值 0 或 1');
    const isMember = (opts.memberOpenIds ?? []).includes(who.openId);
    const day = today();
    const submittedToday = [...state().archives.values()].filter(
      (a) => a.openId === who.openId && new Date(a.ctime * 1000 + 8 * 3600_000).toISOString().slice(0, 10) === day,
    ).length;
    if (!isMember && submittedToday >= dailyLimit) return reply0(21070, undefined, `今日投稿数量已达上限(非会员账号每天最多 ${dailyLimit} 个)`);
    up.used = true;
    const resourceId = newResourceId();
    const archive: Archive = {
      resourceId,
      openId: who.openId,
      uploadToken: up.token,
      title,
      cover,
      tid,
      noReprint,
      desc,
      tag: tags.join(','),
      copyright,
      source,
      ctime: ctx.clock.nowSeconds(),
      cid: 1_000_000_000 + ctx.counter('cid'),
      filename: up.token,
      duration: Math.round(up.duration ?? 0),
    };
    state().archives.set(resourceId, archive);
    recordVideo(ctx, req, {
      id: resourceId,
      ids: { resource_id: resourceId, upload_token: up.token, cid: String(archive.cid) },
      account: who.openId,
      title,
      body: desc,
      url: `${ctx.baseUrl()}/video/${resourceId}`,
      media: [cover, up.token],
      extra: { tid, tag: archive.tag, copyright, source, bytes: up.bytes, duration: up.duration },
    });
    return reply0(0, { resource_id: resourceId });
  });

  const archiveJson = (a: Archive) => {
    const rec = ctx.publications.get(a.resourceId)!;
    const st = archiveState(rec, ctx);
    const settled = ctx.publications.settled(rec);
    return {
      resource_id: a.resourceId,
      title: a.title,
      cover: a.cover,
      tid: a.tid,
      no_reprint: a.noReprint,
      desc: a.desc,
      tag: a.tag,
      copyright: a.copyright,
      source: a.source,
      ctime: a.ctime,
      ptime: settled === 'published' ? Math.floor(rec.readyAt / 1000) : 0,
      video_info: { cid: a.cid, filename: a.filename, duration: a.duration },
      addit_info: {
        state: st,
        state_desc: STATE_DESC[st] ?? '',
        reject_reason: st === -2 || st === -4 ? ((rec.outcome as { message?: string }).message ?? '稿件内容不符合社区规范') : '',
      },
      share_url: `${ctx.baseUrl()}/video/${a.resourceId}`,
    };
  };

  app.get('/arcopen/fn/archive/view', async (req, reply) => {
    const who = auth(req, reply);
    if (!who) return reply;
    const a = state().archives.get(queryParams(req).resource_id ?? '');
    if (!a || a.openId !== who.openId) return reply0(-404);
    return reply0(0, archiveJson(a));
  });

  app.get('/arcopen/fn/archive/viewlist', async (req, reply) => {
    const who = auth(req, reply);
    if (!who) return reply;
    const q = queryParams(req);
    const pn = Math.max(Number(q.pn ?? 1) || 1, 1);
    const ps = Math.min(Math.max(Number(q.ps ?? 10) || 10, 1), 50);
    const status = q.status ?? 'all';
    const mine = [...state().archives.values()]
      .filter((a) => a.openId === who.openId)
      .map((a) => archiveJson(a))
      .filter((a) => a.addit_info.state !== -100)
      .filter((a) =>
        status === 'pubed'
          ? a.addit_info.state === 0
          : status === 'is_pubing'
            ? a.addit_info.state === -1
            : status === 'not_pubed'
              ? a.addit_info.state < -1
              : true,
      )
      .sort((x, y) => y.ctime - x.ctime);
    return reply0(0, { list: mine.slice((pn - 1) * ps, pn * ps), page: { pn, ps, total: mine.length } });
  });

  app.post('/arcopen/fn/archive/delete', async (req, reply) => {
    const who = auth(req, reply);
    if (!who) return reply;
    const a = state().archives.get(queryParams(req).resource_id ?? '');
    const rec = a ? ctx.publications.get(a.resourceId) : undefined;
    if (!a || !rec || a.openId !== who.openId || rec.deleted) return reply0(-404);
    ctx.publications.markDeleted(rec);
    return reply0(0);
  });

  app.get('/video/:bvid', async (req, reply) => {
    const a = state().archives.get((req.params as { bvid: string }).bvid);
    const rec = a ? ctx.publications.get(a.resourceId) : undefined;
    if (!a || !rec || ctx.publications.stateOf(rec) !== 'published') {
      return reply.code(404).type('text/html; charset=utf-8').send(htmlPage('视频去哪了呢?', '<p>啊叻?视频不见了?</p>'));
    }
    return reply.type('text/html; charset=utf-8').send(htmlPage(a.title, `<p>${a.desc.replace(/</g, '&lt;')}</p>`));
  });
}
