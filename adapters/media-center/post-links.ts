// What an article's address on the city news site's channel (西安网, xiancn.com) looks like: any page on the site but its home page.
import { HOME_PAGE, notAPost } from '../post-link-refusals.js';
import type { PostLinks } from '../platform-declaration.js';

const EXAMPLE = 'https://www.xiancn.com/content/2026-12/01/content_1234567.htm';

export const newsSitePostLinks: PostLinks = {
  hosts: ['xiancn.com'],
  example: EXAMPLE,
  // The site's article paths are the CMS's own; only the home page is surely no article.
  checkPath: (_host, path) => (path === '' ? notAPost('西安网', HOME_PAGE, EXAMPLE) : null),
};
