/**
 * The look the service's pages share (the kiosk citizen page, the livestream pages, the unit's portal): the
 * reset and type, the card, the error box, the status icon with its spinner, key-value rows and the footer.
 * Plain CSS and markup for the pages' template literals; no dollar-brace sequences inside.
 */

/** The loading spinner. */
export const PAGE_SPINNER =
  '<svg class="spin" viewBox="0 0 50 50"><circle cx="25" cy="25" r="20" fill="none" stroke="#f3c7b9" stroke-width="5"/>' +
  '<path d="M25 5a20 20 0 0 1 20 20" fill="none" stroke="#d9412c" stroke-width="5" stroke-linecap="round"/></svg>';

/** The reset and the type every page starts from. */
export const PAGE_RESET_CSS = String.raw`
*{box-sizing:border-box;margin:0;padding:0}
[hidden]{display:none!important}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{font-family:-apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Zen Hei","WenQuanYi Micro Hei",sans-serif;
  font-size:16px;line-height:1.5;color:#2b2118;background:#f5f0e8;min-height:100vh;-webkit-tap-highlight-color:transparent}
`;

/** Cards, muted and small text, labels. */
export const PAGE_CARD_CSS = String.raw`
.card{background:#fff;border-radius:16px;box-shadow:0 4px 16px rgba(120,60,20,.08);padding:20px 18px;margin-bottom:14px}
.card h2{font-size:18px;font-weight:700;margin-bottom:6px}
.muted{color:#8a7d70;font-size:14px}
.small{font-size:13px}
.center{text-align:center}
label{display:block;font-size:14px;color:#6b5e52;margin:14px 0 6px}
`;

/** The error box (what showError fills in page-client.ts). */
export const PAGE_ERROR_CSS = String.raw`
.error{background:#fff1ee;border:1px solid #f3b3a6;color:#a3271a;border-radius:12px;padding:12px 14px;margin-bottom:14px;font-size:15px;display:flex;gap:8px;align-items:flex-start;box-shadow:0 4px 16px rgba(120,60,20,.08)}
.error b{flex:none;width:20px;height:20px;border-radius:50%;background:#d9412c;color:#fff;font-size:13px;text-align:center;line-height:20px;margin-top:1px}
`;

/** The status icon with its spinner, and key-value rows. */
export const PAGE_STATUS_CSS = String.raw`
.status-ico{width:72px;height:72px;margin:6px auto 12px;border-radius:50%;display:flex;align-items:center;justify-content:center;background:#fff1ec}
.status-ico svg{width:40px;height:40px}
.spin{animation:spin 1.1s linear infinite}
@keyframes spin{to{transform:rotate(360deg)}}
.kv{display:flex;justify-content:space-between;align-items:center;gap:12px;padding:10px 0;border-top:1px solid #f2ebe2;font-size:15px}
.kv .v{font-weight:600;text-align:right;font-variant-numeric:tabular-nums}
`;

/** The footer with its sign-out link. */
export const PAGE_FOOTER_CSS = String.raw`
footer{text-align:center;font-size:12px;color:#a99b8d;padding:6px 0 18px}
footer button{background:none;color:#8a5a44;font-size:12px;text-decoration:underline;padding:4px}
`;
