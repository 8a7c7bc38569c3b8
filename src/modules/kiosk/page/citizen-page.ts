/** The citizen's cabinet page (Chinese), one self-contained HTML document. */
export const CITIZEN_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>消费扶贫智能专柜</title></head><body><h1>消费扶贫智能专柜</h1><p id="state">加载中…</p></body></html>`;
