// The district portal (区政府门户网站) as a platform: what it accepts, its limits and its renditions.
import type { PlatformDeclaration } from '../platform-declaration.js';

/** Responsive widths for the portal's <picture> (WebP with a JPEG fallback). */
const PORTAL_WIDTHS = [480, 960, 1600] as const;

export const portalDeclaration = {
  id: 'portal',
  name: 'the district portal',
  localName: '区政府门户网站',
  channelKind: 'portal_column',
  publishing: 'api',
  canDelete: true,
  accepts: ['text', 'graphic', 'cartoon', 'video', 'audio', 'h5', 'leader_interview'],
  coverRequired: false,
  video: 'optional',
  /** The portal is ours: these are sane bounds the format step enforces, not a vendor's. */
  limits: {
    titleMaxChars: 200,
    bodyMaxChars: 300_000,
    imagesPerPageMax: 100,
    interpretationsMax: 20,
    attachmentsMax: 50,
    documentNumberMaxChars: 100,
    issuingUnitMaxChars: 100,
    interpreterMaxChars: 100,
    summaryChars: 120,
    imageWidths: '480, 960, 1600 px, WebP with JPEG fallback',
    video: 'MP4 H.264/AAC 720p with a poster',
    audio: 'AAC',
    attachments: 'PDF, Word (.doc/.docx), Excel (.xls/.xlsx), OFD, as uploaded',
    captions: 'WebVTT, as uploaded',
  },
  links: 'clickable',
  // Responsive images, 16:9 cover, landscape video, audio.
  renditions: (s) => [
    ...PORTAL_WIDTHS.flatMap((w) =>
      (['webp', 'jpeg'] as const).map((format) =>
        s.image(
          `w${w}.${format === 'jpeg' ? 'jpg' : 'webp'}`,
          `Portal ${w} px ${format === 'webp' ? 'WebP' : 'JPEG fallback'}`,
          `门户网站正文图片（${w} 像素宽，${format === 'webp' ? 'WebP' : 'JPEG 备用'}）`,
          {
            purpose: 'responsive',
            fit: 'inside',
            width: w,
            height: s.units.TALL,
            format,
            watermark: true,
            limitSource: 'assumed',
          },
        ),
      ),
    ),
    s.image('cover', 'Portal list cover 16:9', '门户网站列表封面（16:9）', {
      purpose: 'cover',
      fit: 'cover',
      width: 1280,
      height: 720,
      format: 'jpeg',
      limitSource: 'assumed',
    }),
    s.landscape(720),
    s.landscape(1080),
    s.poster('poster', 'Portal video poster 16:9', '门户网站视频封面（16:9）', 1280, 720, { limitSource: 'assumed' }),
    s.aacAudio(),
    // Attachments (附件) and captions are published exactly as uploaded.
    s.original('attachment', 'Portal attachment (the file as uploaded)', '门户网站附件（原文件）', 'document'),
    s.original('captions', 'Portal video captions (WebVTT as uploaded)', '门户网站视频字幕（原 WebVTT 文件）', 'captions'),
  ],
} as const satisfies PlatformDeclaration;
