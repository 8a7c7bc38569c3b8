/** The viewer's page (`/l/<sessionId>`): replaced by the full page. */
export const VIEWER_PAGE = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>直播间</title></head><body>直播间</body></html>`;

/** The host's dashboard (`/h/<sessionId>`): replaced by the full page. */
export const DASHBOARD_PAGE = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>直播数据</title></head><body>直播数据</body></html>`;
