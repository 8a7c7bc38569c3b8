/** The unit's portal page (Chinese, no build step). */
export const PORTAL_PAGE = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>单位采购门户</title></head><body><h1>单位采购门户</h1></body></html>`;
