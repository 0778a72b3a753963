/**
 * The Simplified-Chinese sentence for every error code govpub answers with: what went wrong and
 * what to do next. A throw site that knows more (which stage, which status) passes its own
 * sentence (GovpubError's `zh` option, a Problem's `messageZh`); this table is the fallback, so no
 * person reading the console ever sees an English-only error. Codes stay English identifiers.
 * `test/api/messages-zh.test.ts` fails when a code thrown anywhere in the code base is missing here.
 * Pure data: imported by workflow code through domain/errors.ts.
 */
import { DUPLICATE_WINDOW_DAYS } from './compliance/external-duplicates.js';
import { DELIVERY_STATE_NAMES_ZH } from './delivery-state.js';
import type { PackageStatus } from './package-rules.js';

export const ZH_MESSAGES: Readonly<Record<string, string>> = {
  // ── The request itself ──────────────────────────────────────────────────────
  bad_request: '请求不是有效的 HTTP 请求，未做任何处理。请检查请求格式后重新发送。',
  bad_url: '请求地址无效，未做任何处理。请检查地址后重新发送。',
  body_too_large: 'JSON 请求体超过 8 MB。文件请通过 POST /api/media 上传，再按编号引用。',
  headers_too_large: '请求行和请求头超过 16 kB。较长的内容请放在 JSON 请求体中发送。',
  request_timeout: '请求内容未能及时送达。请重新发送。',
  invalid_body: '请求内容有误：请按各字段的提示修改后重新提交。',
  invalid_query: '查询参数有误：请按各参数的提示修改后重试。',
  invalid_params: '路径参数有误：请检查地址中的编号后重试。',
  invalid_header: '请求头有误：请按提示修改后重试。',
  invalid_json: '请求内容不是有效的 JSON。请检查格式（引号、逗号、括号）后重新提交。',
  invalid_multipart: '上传内容不是有效的 multipart/form-data。请以单个文件字段上传文件。',
  unsupported_media_type: '请求内容类型不受支持：请以 UTF-8 编码的 JSON（Content-Type: application/json）发送；上传文件请用 multipart/form-data。',
  range_not_satisfiable: '请求的字节范围超出文件大小。请去掉 Range 请求头或改用有效的范围。',
  idempotency_key_reused: '该幂等键（Idempotency-Key）已用于另一个不同的请求。新的请求请使用新的键。',
  idempotency_request_in_progress: '使用该幂等键的请求仍在处理中。请几秒后重试以获取其结果。',
  api_error: 'API 返回了错误。请查看错误代码和说明后再试。',
  refused: '请求被拒绝。请查看说明后再试。',

  // ── Who the caller is ───────────────────────────────────────────────────────
  unauthorized: '未登录或凭据无效。请重新登录，或在 Authorization 请求头中提供有效令牌。',
  forbidden: '您的角色无权执行此操作。如确需执行，请联系管理员调整角色。',
  role_not_allowed: '您的角色无权执行此操作。如确需执行，请联系管理员调整角色。',
  wrong_stage: '稿件当前所在的审核环节不属于您负责的环节。请交由该环节的审核人处理，或请管理员授予该环节。',
  token_required: '此命令需要以您的身份调用 API：请用 --token 或 GOVPUB_TOKEN 提供令牌。',
  invalid_api_url: 'API 地址无效。请用 --api http://主机:端口 或 GOVPUB_API_URL 指定。',
  api_unreachable: '无法连接 govpub API。请确认 govpub 已启动，并检查 --api 或 GOVPUB_API_URL。',
  api_timeout: 'govpub API 在规定时间内没有应答，该操作可能仍会完成。再次发送前，请先查看其当前状态（如 govpub packages show 编号）。',
  invalid_token:
    '令牌（--token 或 GOVPUB_TOKEN）中含有令牌不会有的字符（控制字符或非 ASCII 字符），此处不回显。govpub 令牌为 gp_ 后接 32 个字母、数字、- 或 _，请重新复制。',
  events_not_configured:
    '本服务尚未配置微信推送：请在 platforms.yaml 中以 wechat_oa.credentials.eventToken 指定令牌（Token）的密钥名并提供该密钥，再在公众号“服务器配置”中填写同一令牌。配置前发布结果由轮询确认。',
  event_signature_invalid: '签名与该公众号的令牌（Token）不符：请核对公众号“服务器配置”中的令牌与 govpub 的密钥是否一致；本次未做任何处理。',
  invalid_event: '请求体不是微信推送消息（应为含 MsgType 的 <xml>，PUBLISHJOBFINISH 事件须带数字 publish_id）。',
  metrics_unauthorized: '读取监控指标（GET /metrics）需要在 Authorization 请求头中提供 GOVPUB_METRICS_TOKEN 设定的令牌（Bearer）。',

  // Codes of the sign-in, scope, cursor, preflight and bundle contract (issue 11): the helpers
  // that throw them may word them better at the throw site.
  bad_credentials: '用户名或密码错误（或该用户已停用），请检查后重试；忘记密码请联系管理员重置。',
  too_many_attempts: '该用户名登录失败次数过多，已暂时锁定。请稍后再试，或请管理员重设密码。',
  too_many_streams: '打开的实时事件连接过多。请关闭一些控制台标签页后刷新。',
  csrf_failed: '请求未通过跨站请求伪造（CSRF）校验：请刷新页面后重试。',
  target_out_of_scope: '部分发布目标不属于您所在单位的渠道，请移除后重新提交。',
  bad_cursor: '分页游标无效：请原样使用上一页返回的 nextCursor，或去掉 cursor 从第一页开始。',
  wrong_password: '当前密码不正确，密码未修改。',
  invalid_password: '密码不符合要求：须为 10 至 200 个字符，且不含控制字符。请换一个密码。',
  unknown_unit: '没有这个单位。请使用 config/registry/units.yaml 中列出的单位编号或名称。',
  invalid_field: '稿件有字段填写有误：请按字段提示改正后再试。',
  preflight_blocked: '发布前检查发现必须先解决的问题：请按问题列表修改稿件或去掉相应渠道后再提交。',
  no_bundle: '这条投递没有人工发布素材包：它不是人工发布渠道，或素材尚未准备好，请稍后再试。',
  bundle_too_large: '素材包超过 4 GiB，请在投递详情中逐个下载文件。',
  bundle_changed: '生成素材包时文件发生了变化，请重新下载。',

  // ── Not found, ambiguous ────────────────────────────────────────────────────
  not_found: '未找到所请求的对象或接口。请检查地址和编号是否正确（接口列表见 GET /api/openapi.json）。',
  method_not_allowed: '该地址不支持这种请求方法：响应的 Allow 头列出了可用的方法（见 GET /api/openapi.json）。',
  ambiguous_id: '有多个对象以该编号开头。请多输入几位编号。',

  // ── Packages: status and rules (三同步, review) ──────────────────────────────
  content_locked: '稿件正在审核中，内容已锁定。请先撤回审核，再进行修改。',
  already_released: '稿件已发布，不能直接修改已发布的内容。请先撤回发布，再发布一份更正后的稿件。',
  not_a_draft: '只有草稿状态的稿件才能提交审核。',
  cannot_withdraw: '只有审核中、已通过或已排期的稿件才能撤回。',
  release_time_fixed: '稿件已进入发布流程，发布时间不能再修改。',
  not_approved: '只有审核通过的稿件才能发布。',
  not_released: '只有已发布的稿件才能撤回发布。',
  already_retracting: '稿件已在撤稿中，无需再次撤稿。请在稿件详情或发布看板中跟进各渠道的撤下进度。',
  already_retracted: '稿件已撤稿，无需再次撤稿。',
  package_closed: '稿件的发布流程已结束，不能再对其进行操作。',
  not_in_review: '稿件不在审核中，没有需要审核的内容。',
  stale_revision: '稿件已有更新的版本。请刷新后在最新版本上重新操作。',
  stage_already_decided: '您提交审核决定的环节刚刚已由其他审核人作出决定，您的决定未被采用。请刷新稿件，查看其当前环节后再作决定。',
  stage_not_reached: '稿件尚未进入您提交审核决定的环节。请刷新稿件，在其当前环节作出决定。',
  self_approval: '您撰写或修改过这份稿件，不能自己审核通过：请由其他审核人审核。',
  same_reviewer_two_stages: '您已在前一审核环节通过了这份稿件；每个环节须由不同的审核人审核。',
  comment_required: '退回稿件时请在意见中写明需要修改的内容，以便编辑修改。',
  reason_required: '请填写原因：原因将记入审计记录。',
  invalid_release_time: '发布时间格式不正确。请使用带时区的 ISO 8601 时间，例如 2026-12-01T09:00:00+08:00。',
  invalid_url: '请填写该帖子在平台上的 http(s) 网址。',
  invalid_posted_at:
    '实际发布时间不正确：请填写帖子在平台上实际发出的时间，带时区的 ISO 8601 格式（例如 2026-12-01T09:00:00+08:00），不晚于现在，也不早于本条发布任务的交付时间。',
  interpretation_without_document: '解读不能脱离其政策文件单独提交：请在稿件中加入政策文件（三同步）。',
  document_missing: '稿件没有政策文件：请先添加文件再提交审核。',
  interpretation_required: '该目录事项属于须同步解读的政策文件（三同步）：提交前请至少添加一项解读（文字、图解、视频、音频、H5 或领导访谈）。',
  no_targets: '稿件没有选择发布渠道：请至少选择一个渠道。',
  catalogue_class_changed: '改到该目录事项会改变稿件的审核环节。请新建一份稿件。',
  concurrent_edit: '刚刚有其他人保存了新版本。请刷新稿件后重新修改。',
  revision_missing: '数据库中缺少该稿件的某个版本。请联系运维人员检查数据库。',
  not_recorded: '上一步操作未能记录（数据库暂时不可用）。请稍后重试。',
  package_busy: '稿件的上一步操作仍在记录中。请稍后重试。',
  release_time_cleared: '稿件已通过审核，不填发布时间保存会立即发布，本次未作修改。请保留发布时间，或使用「立即发布」或「取消定时发布」。',
  unknown_content_class: '目录事项的内容类别未在审核配置中定义。请联系管理员检查 config/registry。',
  not_normative: '该稿件不是行政规范性文件，没有「有效性」可以修改：只有目录事项标为规范性文件的稿件才有有效性。',
  validity_not_published: '只有已发布（且未撤回）的规范性文件才能变更有效性；未发布的稿件请在编辑稿件时填写有效性。',
  portal_validity_unsupported: '门户网站发布程序不支持更新文件有效性，页面未更新。请联系运维人员升级门户网站发布程序。',
  unknown_review_stage: '审核配置中引用了不存在的审核环节。请联系管理员检查 config/registry/review.yaml。',

  // ── Deliveries and channels ─────────────────────────────────────────────────
  delivery_not_running: '该发布任务已结束，当前没有等待处理的操作。',
  delivery_settled: '该发布任务已经结束（已上线、已撤下或已取消），无需再操作。',
  delivery_busy: '该发布任务正在发送中。请等本次发送结束后再操作。',
  post_still_public: '平台上该内容仍在（公开或仍在审核中），尚不能确认已删除。请先在平台上删除或点击重试，再确认已删除。',
  delivery_retracting: '稿件已撤稿：此投递等待删除平台上的帖子，不再登记帖子网址。若已发布，请先在平台上删除该帖子，再确认已删除（不填网址）。',
  takedown_not_skippable: '撤稿删除不能跳过：内容可能仍在平台上公开。请在平台上手动删除后确认已删除，或重试。',
  delivery_manual: '这是人工发布任务：请在平台上手动发布发布包中的内容，然后填写帖子网址确认。',
  not_awaiting_confirmation: '只有人工发布任务或结果未确认的发布任务才能手动确认。',
  no_adapter: '该平台没有可用的发布适配器。请联系运维人员检查渠道配置。',
  not_manual: '该发布任务不是人工发布任务，没有发布包可下载。',
  not_prepared: '该人工发布任务的发布包尚未准备好。请稍后再试。',
  rendition_unavailable: '发布包中的某个媒体转码文件暂不可用。请重新生成转码后再下载。',
  bundle_incomplete: '发布包不完整。请重新准备发布包后再下载。',
  portal_config: '门户网站的配置有误。请联系运维人员检查门户设置。',
  unknown_channel: '渠道编号不存在。渠道编号形如 <平台>:<编号>，请在渠道列表中查看。',
  unknown_account: '注册表中没有该账号。请检查 config/registry/accounts.yaml。',
  channel_already_paused: '该渠道已经暂停，本次未做任何更改。如需以新的原因暂停，请先恢复该渠道再重新暂停；否则保持暂停即可。',
  channel_not_paused: '该渠道没有暂停，无需恢复，本次未做任何更改。请核对渠道编号。',
  channel_credentials_refused: '平台仍拒绝该账号的凭据，渠道保持暂停，本次未恢复。请先更新凭据或重新授权账号，再恢复渠道。',

  // ── Media ───────────────────────────────────────────────────────────────────
  media_bad_hash: '媒体编号格式不正确（应为 64 位十六进制）。请检查编号。',
  media_bad_record_name: '媒体存储中的记录名无效。请联系运维人员检查媒体存储。',
  media_cancelled: '媒体处理已取消。',
  media_cap_unreachable: '无法把该媒体文件压缩到平台要求的大小以内。请换用更短或分辨率更低的文件。',
  media_corrupt: '文件已损坏或不完整，无法读取。请确认文件能在本机正常打开，重新导出后再上传。',
  media_empty: '文件是空的。请选择正确的文件重新上传。',
  media_failed: '媒体处理失败。请查看原因，修正文件后重新请求转码。',
  media_hash_mismatch: '上传的文件内容与其编号不符（可能在传输中损坏）。请重新上传。',
  media_job_failed: '媒体转码任务失败。请查看原因，修正后重新请求转码。',
  media_job_finished: '该转码任务已经结束，无需取消。',
  media_not_found: '媒体库中找不到该文件。请重新上传或重新请求转码。',
  media_not_publishable: '该媒体文件还不能公开发布。请先完成所需的转码。',
  media_original_not_public: '媒体原始文件不公开发布，只能发布转码后的文件。',
  media_renditions_impossible: '所请求的转码都无法从该文件生成。请换用符合平台要求的原始文件。',
  media_timeout: '媒体处理超时，已停止。请稍后重试，或换用较小的文件。',
  media_too_large: '文件超过大小上限。请压缩或换用较小的文件后再上传。',
  media_too_long: '视频或音频时长超过平台上限。请剪短后再上传。',
  media_too_short: '视频时长不足平台要求。请换用更长的视频。',
  media_too_small: '图片或视频的尺寸低于平台要求的最小尺寸。请换用更大的文件。',
  media_tool_failed: '媒体处理工具运行失败。请联系运维人员检查 ffmpeg/ffprobe。',
  media_transcode_failed: '视频转码失败。请重新导出为 MP4（H.264/AAC）后再上传。',
  media_unknown_platform: '平台名称不存在。请从已知平台中选择。',
  media_unknown_spec: '转码规格不存在。请从已知的转码规格中选择。',
  media_unsupported: '不支持该文件类型。请上传图片（JPG/PNG）、音频或视频（MP4）文件。',
  media_upload_failed: '上传未完成（连接中断）。请重新上传。',
  media_worker_lost: '媒体处理进程中断。请重新请求转码。',
  media_wrong_kind: '该转码规格需要另一种类型的原始文件（例如需要图片却给了视频）。请选择正确的文件。',
  media_document_invalid: '附件文件不完整或类型与内容不符（例如 .docx 压缩包中没有 word/ 部分）。请用办公软件重新导出后再上传。',
  media_captions_invalid: '字幕文件不是有效的 WebVTT（须以 WEBVTT 开头、UTF-8 编码）。请重新导出字幕后再上传。',
  invalid_file_name: '文件名无效。请重命名文件后重新上传。',
  too_many_files: '一次只能上传一个文件：本次请求包含多个文件，均未保存。请逐个上传。',
  file_unreadable: '无法读取该文件。请检查文件路径和权限。',
  api_unexpected: 'API 的回答不符合预期，未做任何操作。请确认 --api 指向 govpub 的 API。',
  file_too_large: '文件超过该命令可接受的大小，未发送任何内容。请确认指定的是正确的文件。',
  file_system: '无法在给出的路径读写文件。请换一个路径或修正该路径后重试。',
  file_unwritable: '无法写入该文件。请确认其所在文件夹存在且有写入权限。',
  invalid_fault_rules: '故障规则文件有误（见所列的行、列或规则）。规则格式见 simulators/README.md。',
  watermark_font_missing: '缺少水印字体。请联系运维人员安装所需字体。',
  ffmpeg_not_found:
    '服务器上没有可用的 ffmpeg，无法生成视频和音频的渠道版本。这不是文件的问题：请联系运维人员在 govpub 的目录运行 npm install（自带 ffmpeg），或安装系统的 ffmpeg（如 apt-get install ffmpeg），或用 FFMPEG_PATH 指定；运行 govpub config check 确认后再重试。',
  ffprobe_not_found:
    '服务器上没有可用的 ffprobe，无法读取视频和音频。这不是文件的问题：请联系运维人员在 govpub 的目录运行 npm install（自带 ffprobe），或安装系统的 ffmpeg（如 apt-get install ffmpeg，含 ffprobe），或用 FFPROBE_PATH 指定；运行 govpub config check 确认后再重试。',

  // ── Users ───────────────────────────────────────────────────────────────────
  unknown_stage: '审核环节不存在。请从已配置的审核环节中选择。',
  invalid_name: '用户名须为 1–64 个字母、数字或 _ . @ -（不含空格）。',
  invalid_role: '角色不存在。角色须为 editor、reviewer、ops 或 admin 之一。',
  invalid_display_name: '显示名称无效（含控制字符、换行、只有不可见字符或过长）。请填写一行可见的姓名（如 王伟）后重试。',
  invalid_stages: '只有审核人和管理员可以负责审核环节；审核人至少负责一个审核环节（--stages 初审 等）。',
  user_unchanged: '该用户的角色、审核环节和显示名称已是所填内容，未做任何更改。',
  invalid_ttl: '令牌有效期须为 1 到 3650 天（不填则长期有效，直到轮换）。',
  invalid_reason: '原因无效（含控制字符或过长）。请修改后重试。',
  user_exists: '该用户名已存在。请换一个用户名；如需为该用户换发新令牌（旧令牌随即失效），请用 govpub users rotate-token。',
  user_unknown: '用户不存在。请在用户列表中查看。',
  name_is_token:
    '这个用户名看起来是一个 API 令牌（gp_ 开头）：令牌是凭据，不能用作用户名，此处也不会回显。请填写用户名（如 wang.wei）；如果令牌已被他人看到，请用 govpub users rotate-token 换发新令牌。',
  token_in_field:
    '所填内容看起来是一个 API 令牌（gp_ 开头）：令牌是凭据，不能作为任何字段的内容（角色、单位、原因、标题、正文、幂等键等），此处也不会回显。未做任何更改；如果令牌已被他人看到，请用 govpub users rotate-token 换发新令牌。',
  token_in_url:
    '请求地址中含有看似 API 令牌的内容，此处不回显：令牌应放在 Authorization 请求头中（命令行用 --token 或 GOVPUB_TOKEN），不能填在编号或筛选条件的位置。本次未做任何处理；如果令牌已被他人看到，请用 govpub users rotate-token 换发新令牌。',
  user_disabled: '该用户已被停用。请先启用该用户。',
  user_not_disabled: '该用户未被停用，未做任何更改，其令牌仍然有效。如需换发新令牌，请用 govpub users rotate-token。',
  invalid_arguments: '命令参数有误。请查看命令帮助（--help）后重试。',

  // ── The system: database, Temporal, configuration ──────────────────────────
  database_unavailable: '数据库暂时无法连接，请求未完成。请稍后重试（重试前请先查看当前状态）；工作流会保留进度。',
  database_unreachable: '无法连接数据库。请检查 DATABASE_URL 并确认 PostgreSQL 已启动。',
  schema_not_migrated: '数据库尚未迁移到当前版本。请先用同一个 DATABASE_URL 运行 govpub db migrate，再启动本进程。',
  migration_failed: '数据库迁移失败。请查看日志并联系运维人员。',
  timeout: '操作未能在时限内完成，可能仍会完成。重试前请先查看其状态。',
  api_busy: '系统正在优先完成已批准的发布，本请求排队超时，未做任何更改。请几秒后重新发送。',
  client_gone: '客户端在命令执行前已断开连接，未做任何更改。',
  internal: '系统内部错误，操作可能未完成。重试前请先查看其状态，报告问题时请附上请求编号。',
  config_invalid: '配置有误。请按列出的文件、行号逐项修正。',
  setting_invalid: '环境变量设置有误。请按提示修正或取消该设置。',
  secret_missing: '缺少平台密钥。请在密钥文件或环境变量中配置。',
  secrets_missing: '缺少平台密钥，发布进程无法发布。请配置所列的密钥。',
  secret_out_of_scope: '该密钥不属于当前的密钥存储范围。',
  secret_unknown: '注册表中没有账号使用该密钥名。请检查密钥名称。',
  temporal_unreachable: '无法连接 Temporal 服务。请启动 Temporal，或检查 TEMPORAL_ADDRESS。',
  temporal_namespace_not_found:
    'Temporal 服务上没有 TEMPORAL_NAMESPACE 指定的命名空间。请由集群管理员创建（temporal operator namespace create），或改为已有的命名空间。',
  temporal_namespace_denied: 'Temporal 服务不接受这组凭据访问该命名空间。请使用为该命名空间签发的证书或 API 密钥，或改正 TEMPORAL_NAMESPACE。',
  temporal_not_answering: 'Temporal 服务器暂未答复合规检查定时任务的查询（可能刚重启、仍在载入历史）。请再次启动 worker；如反复出现，请检查服务器状态。',
  temporal_cli_missing: '找不到 temporal 命令行工具。请安装或用 TEMPORAL_CLI 指定其路径。',
  temporal_dev_server_failed: 'Temporal 开发服务器启动失败。请查看其日志文件。',
  port_in_use: '端口已被占用。请停止占用该端口的程序，或改用其他端口。',
  data_dir_unwritable: '数据目录无法写入。请将 GOVPUB_DATA_DIR 设为当前用户可写的目录，或使其可写。',
  already_running: 'govpub 已在该数据目录上运行，本次未启动。请使用正在运行的那一个，或先将其停止，或用 GOVPUB_DATA_DIR 指定另一个数据目录（并换用其他端口）。',
  data_dir_in_use: '该数据目录正被 govpub 使用（govpub start、govpub topology 或正在打开内置数据库的命令），本次未做任何改动。请先将其停止，再重试。',
  backup_needs_embedded:
    '备份与恢复命令针对内置默认部署（PGlite）；已设置 DATABASE_URL 时，请用 pg_dump / pg_restore 备份与恢复 PostgreSQL（见 README“Backups and restores”）。',
  backup_file_exists: '备份文件已存在，未覆盖。请另选文件名，或先移走原文件。',
  backup_unwritable: '备份文件无法写入：所在目录不存在或不可写。请先创建该目录，或换到可写的目录。',
  backup_nothing: '数据目录中没有内置数据库，无可备份的内容。请检查 GOVPUB_DATA_DIR。',
  backup_not_found: '找不到备份文件，未做任何改动。请检查路径。',
  backup_invalid: '该文件不是 govpub 备份，或已损坏，未做任何改动。请确认文件来源。',
  backup_newer: '该备份由更新版本的 govpub 生成，本版本无法恢复，未做任何改动。请先升级 govpub。',
  backup_mismatch: '备份中的数据与其清单不符，恢复已中止，未做任何改动。请改用其他备份。',
  restore_target_not_empty: '数据目录中已有数据，未覆盖。如确需用备份替换，请加 --replace（原有数据会移到一旁保留）。',
  copy_schema_differs: '内置数据库与本版本的数据库结构（迁移）不一致，未复制任何数据。请按提示先迁移，或换用相应版本。',
  postgres_not_empty: '目标 PostgreSQL 数据库不是空库，未复制任何数据。请新建一个空数据库，再重试。',
  copy_count_mismatch: '复制后目标数据库的行数与内置数据库不符，已整体回滚。请查看各表的行数。',
  topology_running: '该数据目录上已有 govpub topology 在运行。请先停止它，或用 --data-dir 指定其他目录。',
  topology_start_failed: 'govpub topology 未能启动全部进程，已停止已启动的进程。请查看上方该进程的输出。',
  topology_process_exited: 'govpub topology 中不可缺少的进程已退出，已按顺序停止全部进程。请查看上方该进程的输出。',
  history_unreadable: '无法读取工作流历史文件。请检查文件路径和格式。',
  replay_failed: '工作流历史重放失败：代码变更与已有历史不兼容。',
  examples_missing: '找不到示例目录。',
  examples_media_missing: '示例引用的媒体文件不存在或未上传。',
  examples_invalid: '示例文件不是有效的 JSON。',
  examples_unknown: '没有该名称的示例。',

  // ── Compliance monitor: runs and notices ────────────────────────────────────
  invalid_email: '电子邮箱地址无效。请填写形如 wang.wei@beilin.gov.cn 的地址。',
  notice_email_failed: '合规提醒邮件发送失败。请检查邮件服务器设置（GOVPUB_SMTP_*）；系统会自动重试。',
  notice_webhook_failed: '合规提醒推送（Webhook）失败。请检查接收地址是否可用；系统会自动重试。',
  notice_failed: '部分合规提醒未能送达；已送达的不会重复发送，其余会自动重试。',
  compliance_not_configured: '该工作进程未启用合规监测。请用 govpub worker 或 govpub start 启动工作进程。',
  duplicate_finding: '同一次合规检查对同一对象报告了两次同类问题。这是检查程序的缺陷，请把错误信息报告给系统维护人员。',
  finding_kind_not_authoritative: '该检查无权报告这类合规问题（每类问题只由负责它的检查开启和关闭）。这是检查程序的缺陷，请报告给系统维护人员。',
  personal_id_number: '稿件含有居民身份证号码。公开前请删除或做去标识化处理（国办发〔2018〕23号）。',
  personal_mobile: '稿件含有个人手机号码。公开前请删除或做去标识化处理。',
  personal_bank_card: '稿件含有银行卡号。公开前请删除或做去标识化处理。',
  personal_email: '稿件含有个人电子邮箱。公开前请删除或做去标识化处理。',
  personal_other: '稿件含有出生日期、家庭住址、病历号或残疾类别等个人信息。公开前请删除或做去标识化处理。',
  attachment_unreadable: '无法读取附件中的文字，未能检查其中的个人信息和错别字。请人工检查该附件，或改传 PDF、DOCX、XLSX 格式。',
  compliance_run_failed: '合规检查运行失败。请按提示排除原因后重新运行。',
  external_release_duplicate: `同一文件已经登记过（发文字号相同，或同一单位、同一标题、发布日期相差不超过 ${DUPLICATE_WINDOW_DAYS} 天），再登记一次会被重复检查、重复统计。请修改已有的那条登记，不要另起编号；确为另一份文件的，请注明 confirmDistinct（命令行 --distinct）后再登记。`,
};

/** A sentence for a code nobody listed (a bug the coverage test catches; never an English-only answer). */
export function zhMessageFor(code: string): string {
  return ZH_MESSAGES[code] ?? `请求未能完成（错误代码 ${code}）。请查看英文说明（messageEn）或联系运维人员。`;
}

/**
 * Readable names of package statuses, for sentences that say which status a package is in, and the
 * console's status tags (web/src/labels.ts). 撤回 is withdrawing from review; 撤稿 is retracting a release.
 */
export const STATUS_ZH: Readonly<Record<PackageStatus, string>> = {
  draft: '草稿',
  in_review: '审核中',
  approved: '已通过',
  scheduled: '定时发布',
  releasing: '发布中',
  released: '已发布',
  retracting: '撤稿中',
  retracted: '已撤稿',
};

export function statusZh(status: string): string {
  return STATUS_ZH[status as PackageStatus] ?? status;
}

/** The delivery error classes (adapters/errors.ts) as an operator reads them: the console's drawer and the CLI. */
export const ERROR_CLASS_ZH: Readonly<Record<string, string>> = {
  retryable: '暂时性故障（自动重试）',
  rate_limited: '平台限流（等待后自动重试）',
  needs_reconnect: '账号凭据失效（需重新授权）',
  rejected: '平台拒收（需修改或跳过）',
  unconfirmed: '结果未确认（先核对再重发）',
  internal: 'govpub 内部处理失败',
};

export function errorClassZh(errorClass: string): string {
  return ERROR_CLASS_ZH[errorClass] ?? errorClass;
}

export function deliveryStateZh(state: string): string {
  return (DELIVERY_STATE_NAMES_ZH as Readonly<Record<string, string>>)[state] ?? state;
}

export const ROLE_ZH: Readonly<Record<string, string>> = {
  editor: '编辑',
  reviewer: '审核人',
  ops: '运维',
  admin: '管理员',
};

export function roleZh(role: string): string {
  return ROLE_ZH[role] ?? role;
}
