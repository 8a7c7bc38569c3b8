import { PAGE_CLIENT, PAGE_STAFF_SIGN_IN } from '@/common/page-client';
import {
  PAGE_SPINNER,
  PAGE_RESET_CSS,
  PAGE_CARD_CSS,
  PAGE_ERROR_CSS,
  PAGE_STATUS_CSS,
  PAGE_FOOTER_CSS,
} from '@/common/page-style';

/**
 * The unit's portal (`/p`, Chinese): one self-contained HTML document, no build step, no external resources
 * (the CSP allows inline styles and scripts only from this document, images from it and data:).
 *
 * A unit's buyers and approvers sign in with username and password (the token in sessionStorage). Everyone
 * sees the organization, the year's quota with a stacked bar of what counts toward it (the unit's accepted
 * procurement, its employees' purchases, fairs) and what is in transit, the orders with their audit trails,
 * and the overdue ones in red. A buyer (UNIT_BUYER) drafts orders from the certified catalog, submits them,
 * and accepts deliveries with the invoice; an approver (UNIT_APPROVER) approves or rejects the submitted
 * orders of its unit (never its own: 403 `four-eyes`). A user may hold both roles.
 *
 * The script shares the client helpers of the other pages (common/page-client.ts). It avoids backticks and
 * dollar-brace sequences (this is a template literal); the only interpolation is the shared part.
 */

const STYLE = String.raw`
${PAGE_RESET_CSS}
.wrap{min-height:100vh;display:flex;flex-direction:column}
header{background:linear-gradient(135deg,#b82d24 0%,#d9482f 60%,#e8703a 100%);color:#fff;padding:20px 18px 46px}
header .in{max-width:1060px;margin:0 auto;position:relative}
header .eyebrow{font-size:12px;opacity:.85;margin:0 0 2px;letter-spacing:1px}
header h1{font-size:21px;font-weight:700;line-height:1.35;letter-spacing:.5px;word-break:break-all;padding-right:80px}
header p{font-size:13px;opacity:.92;margin-top:4px}
.head-out{position:absolute;right:0;top:2px;font:inherit;font-size:13px;color:#fff;background:rgba(255,255,255,.16);border:1px solid rgba(255,255,255,.6);
  border-radius:14px;padding:2px 12px;cursor:pointer}
main{flex:1;width:100%;max-width:1088px;margin:-30px auto 0;padding:0 14px 20px;position:relative}
.narrow{max-width:440px;margin-left:auto;margin-right:auto}
${PAGE_CARD_CSS}
input,select{width:100%;font:inherit;font-size:17px;border:1px solid #e2d8cc;border-radius:10px;padding:11px 13px;background:#fdfbf8;color:#2b2118;outline:none}
input:focus,select:focus{border-color:#d9482f;background:#fff;box-shadow:0 0 0 3px rgba(217,72,47,.12)}
button{font:inherit;border:0;cursor:pointer;border-radius:12px}
button:disabled{opacity:.55;cursor:default}
.btn{display:block;width:100%;background:#d9412c;color:#fff;font-size:18px;font-weight:600;padding:13px 0;margin-top:18px;box-shadow:0 4px 10px rgba(217,65,44,.25)}
.btn:active:not(:disabled){background:#b8311f}
.btn.plain{background:#f3ede5;color:#5c4f44;box-shadow:none;font-size:16px;font-weight:500}
.btn-sm{font-size:15px;font-weight:600;padding:8px 16px;border-radius:10px;background:#d9412c;color:#fff;white-space:nowrap}
.btn-sm.ghost{background:#fff;color:#b8311f;border:1px solid #e5b8ac}
.btn-sm.plain{background:#f3ede5;color:#5c4f44}
.btn-sm.green{background:#1f8a44}
.btn-sm.dark{background:#4a3b30}
${PAGE_ERROR_CSS}
.notice{background:#eef8f0;border:1px solid #b9e0c3;color:#1f6b36;border-radius:12px;padding:10px 14px;margin-bottom:14px;font-size:15px;box-shadow:0 4px 16px rgba(120,60,20,.06)}
${PAGE_STATUS_CSS}
.kv.total .v{font-size:21px;color:#c2381f}
${PAGE_FOOTER_CSS}

/* the quota */
.quota-head{display:flex;justify-content:space-between;align-items:baseline;gap:10px;flex-wrap:wrap}
.quota-empty{margin-top:10px;padding:18px 14px;border:1px dashed #e2d0c0;border-radius:12px;background:#fbf8f4;color:#8a6a50;text-align:center;font-size:15px}
.q-figs{display:flex;align-items:flex-end;justify-content:space-between;gap:12px;flex-wrap:wrap;margin:10px 0 12px}
.q-pct{font-size:38px;font-weight:800;color:#c2381f;line-height:1.1;font-variant-numeric:tabular-nums}
.q-pct small{display:block;font-size:13px;font-weight:400;color:#8a7d70;margin-bottom:2px}
.q-of{font-size:14px;color:#6b5e52;text-align:right}
.q-of b{font-size:17px;color:#2b2118;font-variant-numeric:tabular-nums}
.qbar{position:relative;display:flex;height:26px;border-radius:13px;background:#f1ebe3;overflow:hidden;box-shadow:inset 0 1px 2px rgba(90,50,20,.08)}
.qbar .seg{display:block;height:100%;flex:none;transition:width .5s ease}
.seg.accepted{background:#d9412c}
.seg.employee{background:#f08a3c}
.seg.fair{background:#f2c14e}
.qbar.thin{height:12px;border-radius:6px;margin-top:4px}
.q-sub{display:flex;justify-content:space-between;gap:10px;font-size:13px;color:#8a7d70;margin-top:10px}
.seg.committed{background:repeating-linear-gradient(135deg,#7d9fc9 0 6px,#a9c0dd 6px 12px)}
.q-scale{display:flex;justify-content:space-between;font-size:12px;color:#a99b8d;margin-top:4px;font-variant-numeric:tabular-nums}
.legend{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:8px 14px;margin-top:14px}
.legend div{display:flex;align-items:center;gap:8px;font-size:14px;color:#6b5e52;min-width:0}
.legend i{flex:none;width:12px;height:12px;border-radius:3px}
.legend b{margin-left:auto;color:#2b2118;font-variant-numeric:tabular-nums;white-space:nowrap}
.legend .sw-rem{background:#f1ebe3;border:1px solid #e2d8cc}
.q-basis{margin-top:10px}

/* overdue */
.overdue-card{border:1px solid #f0a396;background:#fff6f4}
.overdue-card h2{color:#b3261e}
.overdue-card ul{margin-top:8px}
.overdue-card li{list-style:none;display:flex;justify-content:space-between;align-items:baseline;gap:10px;padding:8px 0;border-top:1px solid #f7d2ca;color:#8f1f17;font-size:15px}
.overdue-card li span{flex:1;min-width:0}
.overdue-card li b{flex:none;font-variant-numeric:tabular-nums}

/* tabs */
.tabs{display:flex;gap:8px;overflow-x:auto;-webkit-overflow-scrolling:touch;margin:4px 0 12px;padding-bottom:2px;align-items:center}
.tab{flex:none;background:#fff;color:#5c4f44;font-size:15px;font-weight:600;padding:9px 16px;border-radius:20px;box-shadow:0 2px 8px rgba(120,60,20,.07);display:flex;align-items:center;gap:6px}
.tab.on{background:#d9412c;color:#fff}
.tab .count{min-width:20px;height:20px;border-radius:10px;background:#fff1ec;color:#c2381f;font-size:12px;line-height:20px;text-align:center;padding:0 6px}
.tab.on .count{background:#fff;color:#c2381f}
.tab .count.zero{display:none}
.tabs .refresh{margin-left:auto;flex:none;background:none;color:#8a5a44;font-size:14px;padding:8px 6px}

/* the catalog and the draft */
.shop{display:grid;grid-template-columns:minmax(0,1fr);gap:14px}
.prods{display:grid;grid-template-columns:minmax(0,1fr);gap:12px}
.prod{background:#fff;border-radius:14px;box-shadow:0 4px 16px rgba(120,60,20,.08);padding:14px 14px;display:flex;gap:12px;align-items:center}
.prod-info{flex:1;min-width:0}
.prod-name{font-size:17px;font-weight:700;line-height:1.35;overflow-wrap:anywhere}
.tags{margin-top:4px;display:flex;flex-wrap:wrap;gap:6px}
.tag{font-size:12px;border-radius:6px;padding:0 7px;line-height:20px;background:#fff1ec;color:#c2381f;border:1px solid #f6cbbd;white-space:nowrap}
.tag.ok{background:#eaf6ee;color:#1f7a3d;border-color:#bfe3ca}
.tag.red{background:#d9412c;color:#fff;border-color:#d9412c}
.prod-meta{margin-top:4px;font-size:13px;color:#8a7d70}
.prod-meta .price{font-size:20px;font-weight:800;color:#d9412c;font-variant-numeric:tabular-nums;margin-right:2px}
.stepper{flex:none;display:flex;align-items:center;border:1px solid #e2d8cc;border-radius:10px;overflow:hidden;background:#fdfbf8}
.stepper button{width:36px;height:38px;background:none;border-radius:0;font-size:20px;line-height:1;color:#5c4f44}
.stepper input{width:58px;border:0;border-left:1px solid #e2d8cc;border-right:1px solid #e2d8cc;border-radius:0;padding:0 4px;height:38px;text-align:center;font-size:17px;font-weight:700;background:#fff;-moz-appearance:textfield;appearance:textfield}
.stepper input::-webkit-outer-spin-button,.stepper input::-webkit-inner-spin-button{-webkit-appearance:none;margin:0}
.stepper input:focus{box-shadow:none}
.draft-line{display:flex;justify-content:space-between;gap:10px;padding:8px 0;border-top:1px solid #f2ebe2;font-size:15px}
.draft-line b{font-variant-numeric:tabular-nums;white-space:nowrap}
.created{margin-top:16px;background:#fbf8f4;border:1px solid #eee3d6;border-radius:12px;padding:12px 14px}
.created .row{display:flex;justify-content:space-between;align-items:center;gap:10px;flex-wrap:wrap}
.more{margin-top:12px}

/* orders */
.orders-bar{display:flex;gap:10px;align-items:center;margin-bottom:12px}
.orders-bar select{flex:1;max-width:260px;font-size:15px;padding:8px 10px;background:#fff}
.order{background:#fff;border-radius:14px;box-shadow:0 4px 16px rgba(120,60,20,.08);padding:14px 16px;margin-bottom:12px;border:1px solid transparent}
.order.overdue{border-color:#e0503a;background:#fff8f6}
.o-head{display:flex;align-items:center;gap:8px;flex-wrap:wrap}
.o-no{font-weight:700;font-size:16px;margin-right:auto;font-variant-numeric:tabular-nums}
.st{font-size:13px;font-weight:600;border-radius:10px;padding:1px 10px;background:#efebe6;color:#5c4f44;white-space:nowrap}
.st.DRAFT{background:#efebe6;color:#5c4f44}
.st.SUBMITTED{background:#fff4e0;color:#9a6200}
.st.APPROVED,.st.CONFIRMED{background:#e8f0fa;color:#2b5c95}
.st.SHIPPED{background:#eee8fa;color:#5b3d99}
.st.ACCEPTED{background:#eaf6ee;color:#1f7a3d}
.st.PAID{background:#1f8a44;color:#fff}
.st.REJECTED{background:#fbe4e0;color:#a3271a}
.o-sum{margin-top:6px;font-size:15px;color:#4a3e34;overflow-wrap:anywhere}
.o-money{display:flex;gap:18px;flex-wrap:wrap;margin-top:6px;font-size:14px;color:#6b5e52}
.o-money b{font-size:17px;color:#c2381f;font-variant-numeric:tabular-nums}
.o-meta{margin-top:4px}
.o-meta.red{color:#b3261e;font-weight:600}
.o-actions{display:flex;gap:8px;flex-wrap:wrap;justify-content:flex-end;margin-top:10px}
.o-detail{margin-top:12px;border-top:1px dashed #eee3d6;padding-top:10px}
.o-detail h4{font-size:14px;color:#8a7d70;font-weight:600;margin:12px 0 4px}
.lines{width:100%;border-collapse:collapse;font-size:14px}
.lines th{font-size:12px;font-weight:600;color:#a99b8d;text-align:right;padding:4px 6px;border-bottom:1px solid #eee3d6;white-space:nowrap}
.lines td{text-align:right;padding:7px 6px;border-bottom:1px solid #f5efe7;font-variant-numeric:tabular-nums;white-space:nowrap}
.lines th:first-child,.lines td:first-child{text-align:left;white-space:normal;padding-left:0}
.facts{display:grid;grid-template-columns:auto minmax(0,1fr);gap:4px 12px;font-size:14px;margin-top:6px}
.facts dt{color:#8a7d70}
.facts dd{overflow-wrap:anywhere;font-variant-numeric:tabular-nums}
.trail{list-style:none;position:relative;margin-top:4px}
.trail li{position:relative;padding:6px 0 8px 22px}
.trail li:before{content:"";position:absolute;left:5px;top:13px;width:9px;height:9px;border-radius:50%;background:#d9412c}
.trail li:after{content:"";position:absolute;left:9px;top:24px;bottom:-8px;width:1px;background:#eedfd2}
.trail li:last-child:after{display:none}
.trail li[data-action="REJECTED"]:before,.trail li[data-action="REMINDED"]:before{background:#7d6f63}
.trail li[data-action="ACCEPTED"]:before,.trail li[data-action="PAID"]:before{background:#1f8a44}
.ev-top{display:flex;gap:8px;align-items:baseline;flex-wrap:wrap;font-size:14px}
.ev-act{font-weight:700}
.ev-who{color:#6b5e52}
.ev-at{margin-left:auto;color:#a99b8d;font-size:13px;font-variant-numeric:tabular-nums}
.ev-detail{font-size:13px;color:#8a7d70;overflow-wrap:anywhere}
.empty{padding:26px 14px;text-align:center;color:#a99b8d;font-size:15px}

/* the approver's queue and acceptance */
.reject-form{margin-top:10px;background:#fff8e6;border:1px solid #f0d9a0;border-radius:12px;padding:10px 12px}
.reject-form label{margin-top:0}
.reject-form .o-actions{margin-top:8px}
.a-line{display:grid;grid-template-columns:minmax(0,1fr) 110px 92px;gap:10px;align-items:center;padding:10px 0;border-top:1px solid #f2ebe2}
.a-name{font-weight:600;font-size:15px;overflow-wrap:anywhere}
.a-name span{display:block;font-size:12px;color:#a99b8d;font-weight:400}
.a-line label{margin:0;font-size:12px;color:#a99b8d}
.a-line input{padding:7px 8px;font-size:16px;text-align:center}
.a-amt{text-align:right;font-weight:700;font-variant-numeric:tabular-nums}
.inv{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:0 12px}
.inv-warn{color:#b3261e;font-size:13px;margin-top:6px}

@media (min-width:760px){
  header{padding:24px 28px 52px}
  .shop{display:grid;grid-template-columns:minmax(0,1fr) 340px;gap:16px;align-items:start}
  .shop .draft{position:sticky;top:12px}
  .prods{grid-template-columns:repeat(2,minmax(0,1fr))}
  .legend{grid-template-columns:repeat(5,minmax(0,1fr))}
  .legend div{flex-wrap:wrap;gap:2px 8px}
  .legend b{margin-left:20px;width:100%}
}
@media (max-width:420px){
  .a-line{grid-template-columns:minmax(0,1fr) 88px;}
  .a-amt{grid-column:1/-1;text-align:left;font-size:14px;color:#6b5e52}
  .inv{grid-template-columns:minmax(0,1fr)}
  .q-pct{font-size:32px}
}
`;

/** The unit's portal page (`/p`). */
export const PORTAL_PAGE = String.raw`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<meta name="format-detection" content="telephone=no">
<meta name="theme-color" content="#c7352b">
<link rel="icon" href="data:,">
<title>单位采购门户</title>
<style>${STYLE}</style>
</head>
<body>
<div class="wrap">
<header>
  <div class="in">
    <p class="eyebrow">消费扶贫 · 单位采购门户</p>
    <h1 id="org-name" data-testid="org-name">单位采购门户</h1>
    <p id="who-role" data-testid="who-role"></p>
    <button id="btn-logout-top" class="head-out" type="button" hidden>退出</button>
  </div>
</header>
<main>
  <div id="error" class="error" role="alert" data-testid="error" hidden><b>!</b><span id="error-message" data-testid="error-message"></span></div>
  <div id="notice" class="notice" role="status" data-testid="notice" hidden></div>

  <section id="view-loading" class="card center narrow" data-testid="view-loading">
    <div id="loading-ico" class="status-ico">${PAGE_SPINNER}</div>
    <p id="loading-text" class="muted">加载中…</p>
    <button id="btn-retry" class="btn plain" type="button" hidden>重试</button>
  </section>

  <section id="view-login" class="card narrow" data-testid="view-login" hidden>
    <h2>单位账号登录</h2>
    <p class="muted">本单位采购员、审批人使用管理员分配的账号登录。</p>
    <label for="username">账号</label>
    <input id="username" data-testid="username" type="text" autocomplete="username" autocapitalize="off" spellcheck="false" placeholder="请输入账号">
    <label for="password">密码</label>
    <input id="password" data-testid="password" type="password" autocomplete="current-password" placeholder="请输入密码">
    <button id="btn-login" data-testid="btn-login" class="btn" type="button">登录</button>
  </section>

  <section id="view-portal" data-testid="view-portal" hidden>
    <div id="quota-card" class="card" data-testid="quota-card">
      <div class="quota-head"><h2><span id="quota-year" data-testid="quota-year"></span>扶贫产品采购额度</h2><span id="quota-done" class="tag ok" hidden>已完成</span></div>
      <div id="quota-empty" class="quota-empty" data-testid="quota-empty" hidden>本年度尚未下达采购额度</div>
      <div id="quota-body" hidden>
        <div class="q-figs">
          <div class="q-pct"><small>完成进度</small><span id="q-percent" data-testid="q-percent"></span></div>
          <div class="q-of">已计入 <b id="q-counted" data-testid="q-counted"></b><br>年度额度 <b id="q-amount" data-testid="q-amount"></b></div>
        </div>
        <div id="quota-bar" class="qbar" role="img" data-testid="quota-bar">
          <i id="bar-accepted" class="seg accepted" data-testid="bar-accepted"></i><i id="bar-employee" class="seg employee" data-testid="bar-employee"></i><i id="bar-fair" class="seg fair" data-testid="bar-fair"></i>
        </div>
        <div class="q-scale"><span>0</span><span id="q-scale-max"></span></div>
        <div class="q-sub"><span>在途：已提交、尚未验收的订单（不计入完成进度）</span></div>
        <div id="committed-bar" class="qbar thin" role="img" data-testid="committed-bar"><i id="bar-committed" class="seg committed" data-testid="bar-committed"></i></div>
        <div class="legend">
          <div><i class="seg accepted"></i>单位采购<b id="q-accepted" data-testid="q-accepted"></b></div>
          <div><i class="seg employee"></i>职工消费<b id="q-employee" data-testid="q-employee"></b></div>
          <div><i class="seg fair"></i>赶场采购<b id="q-fair" data-testid="q-fair"></b></div>
          <div><i class="seg committed"></i>在途<b id="q-committed" data-testid="q-committed"></b></div>
          <div><i class="sw-rem"></i>尚差<b id="q-remaining" data-testid="q-remaining"></b></div>
        </div>
        <p id="q-basis" class="muted small q-basis" data-testid="q-basis" hidden></p>
      </div>
    </div>

    <div id="overdue" class="card overdue-card" data-testid="overdue" hidden>
      <h2>逾期未付款</h2>
      <p class="muted small">以下订单已验收但超过付款期限，请尽快支付，保障脱贫户及时收款。</p>
      <ul id="overdue-list" data-testid="overdue-list"></ul>
    </div>

    <nav class="tabs" role="tablist">
      <button id="tab-catalog" class="tab" type="button" role="tab" data-tab="catalog" data-testid="tab-catalog" hidden>采购下单</button>
      <button id="tab-queue" class="tab" type="button" role="tab" data-tab="queue" data-testid="tab-queue" hidden>待审批<span id="queue-count" class="count" data-testid="queue-count">0</span></button>
      <button id="tab-accept" class="tab" type="button" role="tab" data-tab="accept" data-testid="tab-accept" hidden>待验收<span id="accept-count" class="count" data-testid="accept-count">0</span></button>
      <button id="tab-orders" class="tab" type="button" role="tab" data-tab="orders" data-testid="tab-orders">全部订单</button>
      <button id="btn-refresh" class="refresh" type="button" data-testid="btn-refresh">刷新</button>
    </nav>

    <section id="panel-catalog" data-testid="panel-catalog" hidden>
      <div class="shop">
        <div>
          <div id="products" class="prods" data-testid="products"></div>
          <div id="products-empty" class="card empty" hidden>暂无可采购的认证商品</div>
          <button id="products-more" class="btn plain more" type="button" hidden>加载更多商品</button>
        </div>
        <aside id="draft" class="card draft" data-testid="draft">
          <h2>采购草稿</h2>
          <p class="muted small">选择商品数量，填写收货地址后生成草稿，再提交本单位审批人审批。</p>
          <div id="draft-lines" data-testid="draft-lines" style="margin-top:10px"></div>
          <p id="draft-empty" class="muted small" style="padding:8px 0">尚未选择商品</p>
          <div class="kv total"><span>合计</span><span id="draft-total" class="v" data-testid="draft-total">¥0.00</span></div>
          <label for="delivery-address">收货地址</label>
          <input id="delivery-address" data-testid="delivery-address" type="text" maxlength="255" placeholder="如：本单位食堂，XX路 8 号">
          <button id="btn-create-draft" data-testid="btn-create-draft" class="btn" type="button">生成采购草稿</button>
          <div id="draft-created" class="created" data-testid="draft-created" hidden>
            <div class="row"><b>采购单 <span id="draft-no" data-testid="draft-no"></span></b><span id="draft-status" class="st" data-testid="draft-status"></span></div>
            <div class="kv"><span>订单金额</span><span id="draft-amount" class="v" data-testid="draft-amount"></span></div>
            <p id="draft-hint" class="muted small"></p>
            <button id="btn-submit-draft" data-testid="btn-submit-draft" class="btn" type="button">提交审批</button>
          </div>
        </aside>
      </div>
    </section>

    <section id="panel-queue" data-testid="panel-queue" hidden>
      <div id="queue" data-testid="queue"></div>
    </section>

    <section id="panel-accept" data-testid="panel-accept" hidden>
      <div id="accepts" data-testid="accepts"></div>
    </section>

    <section id="panel-orders" data-testid="panel-orders" hidden>
      <div class="orders-bar">
        <select id="orders-filter" data-testid="orders-filter" aria-label="按状态筛选">
          <option value="">全部状态</option>
          <option value="DRAFT">草稿</option>
          <option value="SUBMITTED">待审批</option>
          <option value="APPROVED">已批准</option>
          <option value="REJECTED">已驳回</option>
          <option value="CONFIRMED">供应商已确认</option>
          <option value="SHIPPED">已发货</option>
          <option value="ACCEPTED">已验收</option>
          <option value="PAID">已付款</option>
        </select>
      </div>
      <div id="orders" data-testid="orders"></div>
      <button id="orders-more" class="btn plain more" type="button" hidden>加载更多订单</button>
    </section>
  </section>
</main>
<footer>
  <span id="who" data-testid="who"></span>
  <button id="btn-logout" data-testid="btn-logout" type="button" hidden>退出登录</button>
  <div>消费扶贫 · 每一笔采购都助力农户增收</div>
</footer>
</div>
<script>
(function () {
  'use strict';
  var TOKEN_KEY = 'portal.token';
${PAGE_CLIENT}
${PAGE_STAFF_SIGN_IN}
  var STATUS_WORDS = {
    DRAFT: '草稿', SUBMITTED: '待审批', APPROVED: '已批准', REJECTED: '已驳回', CONFIRMED: '供应商已确认',
    SHIPPED: '已发货', ACCEPTED: '已验收', PAID: '已付款', CANCELLED: '已取消'
  };
  var ACTION_WORDS = {
    CREATED: '创建', SUBMITTED: '提交', APPROVED: '批准', REJECTED: '驳回', CONFIRMED: '供应商确认',
    SHIPPED: '发货', ACCEPTED: '验收', PAID: '付款', REMINDED: '催款提醒', CANCELLED: '取消'
  };
  var ROLE_WORDS = { UNIT_BUYER: '采购员', UNIT_APPROVER: '审批人' };
  var COMMON_ERRORS = {
    'too-many-requests': '操作太频繁，请稍后再试。',
    'unauthenticated': '登录已过期，请重新登录。',
    'forbidden': '没有权限进行此操作。',
    'not-found': '未找到该订单或单位，请刷新页面。',
    'idempotency-key-in-progress': '请求正在处理中，请稍候。',
    'service-unavailable': '服务暂时不可用，请稍后再试。',
    'internal-error': '服务出错了，请稍后再试。',
    'request-timeout': '请求超时，请重试。',
    'network': '网络连接失败，请检查网络后重试。'
  };
  var ERRORS = {
    'invalid-credentials': '账号或密码错误。',
    'account-disabled': '该账号已停用，请联系管理员。',
    'four-eyes': '您是该订单的提交人，须由本单位其他审批人审批',
    'invalid-procurement-state': '订单状态已变化，已为您刷新。',
    'product-not-certified': '所选商品未通过认证或认证已过期，不能采购。',
    'out-of-stock': '商品库存不足，暂不能批准该订单，请联系供应商补货。',
    'nothing-received': '实收数量不能全部为 0；未到货的订单请与供应商联系。'
  };
  var FIELDS = {
    username: '请输入账号。',
    password: '请输入密码。',
    deliveryAddress: '请填写收货地址。',
    lines: '请至少选择一种商品。',
    productId: '所选商品有误，请刷新页面后重试。',
    quantity: '采购数量须为正整数。',
    receivedQuantity: '实收数量须为 0 到订购数量之间的整数。',
    invoiceNo: '请填写发票号码。',
    invoiceFen: '发票金额须等于实收金额。',
    reason: '请填写驳回原因。'
  };
  var NOT_UNIT = '该账号不是单位采购员或审批人账号，无法使用单位采购门户。';

  var me = null;            // the signed-in user (GET /me)
  var org = null;           // its organization
  var quota = null;         // the year's quota and progress, or null when none is set
  var orders = [];          // the orders tab's list, newest first
  var ordersCursor = null;
  var queue = [];           // SUBMITTED orders (approvers)
  var toAccept = [];        // SHIPPED orders (buyers)
  var overdue = [];
  var products = [];
  var productsCursor = null;
  var qty = {};             // product id → the quantity chosen
  var draft = null;         // the order last drafted here
  var expanded = {};        // order id → its details are open
  var trails = {};          // order id → its audit trail, last read
  var submitters = {};      // order id → the submitter's username
  var rejecting = {};       // order id → the reject reason form is open
  var tab = null;

  // --- helpers ---

  function store(k, v) {
    try { if (v == null) sessionStorage.removeItem(k); else sessionStorage.setItem(k, v); } catch (e) { /* private mode */ }
  }
  function load(k) { try { return sessionStorage.getItem(k); } catch (e) { return null; } }
  function enc(v) { return encodeURIComponent(v); }
  function hasRole(r) { return !!me && (me.roles || []).indexOf(r) >= 0; }
  function isBuyer() { return hasRole('UNIT_BUYER'); }
  function isApprover() { return hasRole('UNIT_APPROVER'); }
  function isUnit(roles) { return (roles || []).indexOf('UNIT_BUYER') >= 0 || (roles || []).indexOf('UNIT_APPROVER') >= 0; }
  /** The year in Beijing, whatever the device's time zone: quotas are yearly by the business calendar. */
  function beijingYear() { return new Date(Date.now() + 8 * 3600000).getUTCFullYear(); }
  function shortNo(id) { return String(id || '').slice(-8); }
  function bpsText(bps) { var b = Math.max(0, Math.floor(Number(bps) || 0)); return Math.floor(b / 100) + '.' + pad2(b % 100) + '%'; }
  /** Yuan typed by a person ("748", "748.5", "¥748.50") as fen, exactly; null when it is not an amount. */
  function parseFen(s) {
    var m = /^([0-9]{1,12})(?:\.([0-9]{0,2}))?$/.exec(String(s == null ? '' : s).replace(/[\s¥,，]/g, ''));
    if (!m) return null;
    return Number(m[1]) * 100 + Number(((m[2] || '') + '00').slice(0, 2));
  }
  function parseQty(s) {
    var v = String(s == null ? '' : s).trim();
    return /^[0-9]{1,7}$/.test(v) ? Number(v) : null;
  }
  function statusTag(status, id) {
    return '<span class="st ' + esc(status) + '"' + (id ? ' id="' + id + '" data-testid="order-status"' : '') + ' data-status="' + esc(status) + '">' +
      esc(STATUS_WORDS[status] || status) + '</span>';
  }
  function summary(o) {
    var ls = o.lines || [];
    var s = ls.slice(0, 3).map(function (l) { return l.productName + ' × ' + l.quantity; }).join('，');
    return ls.length > 3 ? s + ' 等 ' + ls.length + ' 种' : s;
  }

  // --- messages ---

  function fieldOf(f) {
    var parts = String(f || '').replace(/\[[0-9]+\]/g, '').split('.');
    return parts[parts.length - 1];
  }
  function describe(e) {
    if (e.code === 'validation-failed') {
      var errs = e.errors || [];
      for (var i = 0; i < errs.length; i++) {
        var m = /received amount, ([0-9]+) fen/.exec(errs[i].message || '');
        if (m) return '发票金额须等于实收金额 ' + yuan(Number(m[1])) + '。';
      }
      var f = errs.map(function (x) { return FIELDS[fieldOf(x.field)]; }).filter(Boolean);
      return f.length ? f[0] : null;
    }
    return null;
  }
  function message(e) {
    if (!e) return '';
    if (typeof e === 'string') return e;
    var own = describe(e);
    if (own) return own;
    if (e.code === 'too-many-requests' && e.retryAfter) return '操作太频繁，请 ' + e.retryAfter + ' 秒后再试。';
    if (e.code === 'validation-failed') return '输入内容有误，请检查后重试。';
    if (ERRORS[e.code]) return ERRORS[e.code];
    if (COMMON_ERRORS[e.code]) return COMMON_ERRORS[e.code];
    if (e.status >= 500) return COMMON_ERRORS['service-unavailable'];
    return '操作未成功：' + (e.detail || e.title || '请稍后再试。');
  }
  function clearMessages() { hideError(); notice(''); }
  /** Shows an error; an expired sign-in goes back to the login form. */
  function fail(e) {
    if (e && (e.expired || (e.status === 401 && !load(TOKEN_KEY)))) {
      reset();
      show('login');
    }
    showError(e);
  }
  function loading(state) {
    $('loading-ico').hidden = state !== 'busy';
    $('loading-text').hidden = state !== 'busy';
    $('btn-retry').hidden = state !== 'retry';
  }

  // --- the API ---

  /** Calls the API with the token; a 401 on a signed-in call forgets the token and marks the error expired. */
  async function api(method, path, body, headers) {
    var token = load(TOKEN_KEY);
    try {
      return await request(method, path, body, headers, token);
    } catch (err) {
      if (err.status === 401 && token && path.indexOf('/auth/login') !== 0) {
        store(TOKEN_KEY, null);
        err.expired = true;
      }
      throw err;
    }
  }
  /** A signed-in POST: every one carries its own Idempotency-Key. */
  function post(path, body) {
    return api('POST', path, body === undefined ? {} : body, { 'Idempotency-Key': newKey() });
  }
  /** Runs an action with its button disabled and showing busy words; errors go to the error box. */
  async function busy(button, words, work) {
    var label = button ? button.textContent : '';
    if (button) { button.disabled = true; button.textContent = words; }
    try {
      return await work();
    } catch (e) {
      fail(e);
      return undefined;
    } finally {
      if (button && document.body.contains(button)) { button.disabled = false; button.textContent = label; }
    }
  }

  // --- views ---

  function show(name) {
    $('view-loading').hidden = name !== 'loading';
    $('view-login').hidden = name !== 'login';
    $('view-portal').hidden = name !== 'portal';
    document.body.setAttribute('data-view', name);
    var signedIn = !!load(TOKEN_KEY) && !!me;
    $('who').textContent = signedIn ? '已登录 ' + me.username : '';
    $('btn-logout').hidden = !signedIn;
    $('btn-logout-top').hidden = !signedIn;
    if (name === 'login') {
      $('org-name').textContent = '单位采购门户';
      $('who-role').textContent = '';
    }
  }
  function renderHead() {
    $('org-name').textContent = org ? org.name : '单位采购门户';
    document.title = (org ? org.name + ' · ' : '') + '单位采购门户';
    var roles = (me.roles || []).map(function (r) { return ROLE_WORDS[r]; }).filter(Boolean).join('、');
    $('who-role').textContent = roles + ' · ' + me.username;
  }
  function setupTabs() {
    $('tab-catalog').hidden = !isBuyer();
    $('tab-accept').hidden = !isBuyer();
    $('tab-queue').hidden = !isApprover();
    if (!tab || $('tab-' + tab).hidden) setTab(isBuyer() ? 'catalog' : 'queue');
  }
  function setTab(name) {
    tab = name;
    ['catalog', 'queue', 'accept', 'orders'].forEach(function (n) {
      var on = n === name;
      $('tab-' + n).className = 'tab' + (on ? ' on' : '');
      $('tab-' + n).setAttribute('aria-selected', on ? 'true' : 'false');
      $('panel-' + n).hidden = !on;
    });
  }

  // --- the quota ---

  async function loadQuota() {
    var year = beijingYear();
    $('quota-year').textContent = year + ' 年度';
    try {
      quota = await api('GET', '/organizations/' + enc(org.id) + '/quotas/' + year);
    } catch (e) {
      if (e.code !== 'not-found') throw e;
      quota = null;
    }
    renderQuota();
  }
  function renderQuota() {
    var q = quota;
    $('quota-empty').hidden = !!q;
    $('quota-body').hidden = !q;
    $('quota-done').hidden = !q || q.progressBps < 10000;
    if (!q) return;
    // The bar is the quota (or what was counted, when it went past it); its parts never overflow it.
    var scale = Math.max(q.amountFen, q.countedFen, 1);
    var used = 0;
    [['accepted', q.acceptedFen, '单位采购'], ['employee', q.employeeFen, '职工消费'], ['fair', q.fairFen, '赶场采购']].forEach(function (s) {
      var w = Math.max(0, Math.min(100 - used, (s[1] * 100) / scale));
      used += w;
      var el = $('bar-' + s[0]);
      el.style.width = w + '%';
      el.setAttribute('data-fen', String(s[1]));
      el.title = s[2] + ' ' + yuan(s[1]);
      $('q-' + s[0]).textContent = yuan(s[1]);
    });
    var c = $('bar-committed');
    c.style.width = Math.min(100, (q.committedFen * 100) / scale) + '%';
    c.setAttribute('data-fen', String(q.committedFen));
    c.title = '在途 ' + yuan(q.committedFen);
    $('quota-bar').setAttribute('aria-label', '已完成 ' + bpsText(q.progressBps) + '：单位采购 ' + yuan(q.acceptedFen) + '，职工消费 ' + yuan(q.employeeFen) + '，赶场采购 ' + yuan(q.fairFen));
    $('committed-bar').setAttribute('aria-label', '在途 ' + yuan(q.committedFen));
    $('q-percent').textContent = bpsText(q.progressBps);
    $('q-percent').setAttribute('data-bps', String(q.progressBps));
    $('q-counted').textContent = yuan(q.countedFen);
    $('q-amount').textContent = yuan(q.amountFen);
    $('q-committed').textContent = yuan(q.committedFen);
    $('q-remaining').textContent = yuan(q.remainingFen);
    $('q-scale-max').textContent = yuan(scale);
    var basis = q.canteenBaseFen && q.shareBps
      ? '额度 = 年度食堂食材采购额 ' + yuan(q.canteenBaseFen) + ' × 预留比例 ' + bpsText(q.shareBps)
      : '';
    $('q-basis').textContent = basis;
    $('q-basis').hidden = !basis;
  }

  // --- overdue orders ---

  async function loadOverdue() {
    overdue = (await api('GET', '/procurement/overdue')) || [];
    var list = $('overdue-list');
    list.innerHTML = overdue.map(function (o) {
      var id = esc(o.id);
      return '<li id="overdue-' + id + '" data-testid="overdue-order" data-order-id="' + id + '"><span>采购单 ' + esc(shortNo(o.id)) +
        ' · 应于 ' + esc(o.dueDate) + ' 前付款</span><b>' + esc(yuan(o.acceptedFen)) + '</b></li>';
    }).join('');
    $('overdue').hidden = !overdue.length;
  }
  function isOverdue(o) {
    return !!o.overdue || overdue.some(function (x) { return x.id === o.id; });
  }

  // --- the catalog and the draft ---

  async function loadProducts(more) {
    var page = await api('GET', '/products?limit=50&status=CERTIFIED' + (more && productsCursor ? '&cursor=' + enc(productsCursor) : ''));
    var items = (page.items || []).filter(function (p) { return p.status === 'CERTIFIED'; });
    products = more ? products.concat(items) : items;
    productsCursor = page.nextCursor;
    renderProducts();
  }
  function productOf(id) { return products.filter(function (p) { return p.id === id; })[0]; }
  function renderProducts() {
    $('products').innerHTML = products.map(function (p) {
      var id = esc(p.id);
      return '<article class="prod" id="product-' + id + '" data-testid="product" data-product-id="' + id + '">' +
        '<div class="prod-info"><h3 class="prod-name" id="product-' + id + '-name">' + esc(p.name) + '</h3>' +
        '<div class="tags"><span class="tag">' + esc(p.category) + '</span><span class="tag ok">已认证</span></div>' +
        '<div class="prod-meta"><span class="price" id="product-' + id + '-price">' + esc(yuan(p.priceFen)) + '</span>/' + esc(p.unit) +
        ' · 库存 <span id="product-' + id + '-stock">' + esc(p.stock) + '</span> ' + esc(p.unit) + '</div></div>' +
        '<div class="stepper"><button type="button" data-act="minus" data-product="' + id + '" aria-label="减少">−</button>' +
        '<input id="qty-' + id + '" data-testid="qty" data-product="' + id + '" type="number" inputmode="numeric" min="0" step="1" value="' + esc(qty[p.id] || 0) + '" aria-label="采购数量">' +
        '<button type="button" data-act="plus" data-product="' + id + '" aria-label="增加">+</button></div></article>';
    }).join('');
    $('products-empty').hidden = products.length > 0;
    $('products-more').hidden = !productsCursor;
    renderDraft();
  }
  function chosen() {
    return products.filter(function (p) { return qty[p.id] > 0; }).map(function (p) {
      return { product: p, quantity: qty[p.id], amountFen: p.priceFen * qty[p.id] };
    });
  }
  function renderDraft() {
    var lines = chosen();
    $('draft-lines').innerHTML = lines.map(function (l) {
      return '<div class="draft-line" data-testid="draft-line"><span>' + esc(l.product.name) + ' × ' + esc(l.quantity) + ' ' + esc(l.product.unit) +
        '</span><b>' + esc(yuan(l.amountFen)) + '</b></div>';
    }).join('');
    $('draft-empty').hidden = lines.length > 0;
    $('draft-total').textContent = yuan(lines.reduce(function (a, l) { return a + l.amountFen; }, 0));
    var d = draft;
    $('draft-created').hidden = !d;
    if (!d) return;
    $('draft-no').textContent = shortNo(d.id);
    $('draft-status').textContent = STATUS_WORDS[d.status] || d.status;
    $('draft-status').className = 'st ' + d.status;
    $('draft-status').setAttribute('data-status', d.status);
    $('draft-amount').textContent = yuan(d.totalFen);
    $('btn-submit-draft').hidden = d.status !== 'DRAFT';
    $('draft-hint').textContent = d.status === 'DRAFT' ? '草稿已保存，提交后由本单位审批人审批。' : '已提交审批，审批人将收到短信通知。';
  }
  function setQty(id, v) {
    var p = productOf(id);
    if (!p) return;
    qty[id] = Math.max(0, Math.min(1000000, v));
    var input = $('qty-' + id);
    if (input && String(input.value) !== String(qty[id])) input.value = String(qty[id]);
    renderDraft();
  }
  async function createDraft() {
    clearMessages();
    var lines = chosen();
    if (!lines.length) { showError(FIELDS.lines); return; }
    var address = $('delivery-address').value.trim();
    if (!address) { showError(FIELDS.deliveryAddress); $('delivery-address').focus(); return; }
    await busy($('btn-create-draft'), '正在生成…', async function () {
      var o = await post('/procurement/orders', {
        lines: lines.map(function (l) { return { productId: l.product.id, quantity: l.quantity }; }),
        deliveryAddress: address
      });
      draft = o;
      qty = {};
      products.forEach(function (p) { var i = $('qty-' + p.id); if (i) i.value = '0'; });
      renderDraft();
      notice('采购草稿已生成：采购单 ' + shortNo(o.id) + '，金额 ' + yuan(o.totalFen) + '。请核对后提交审批。');
      await loadOrders(false);
    });
  }
  async function submitOrder(id, button) {
    clearMessages();
    await busy(button, '提交中…', async function () {
      var o = await post('/procurement/orders/' + enc(id) + '/submit');
      if (draft && draft.id === id) draft = o;
      renderDraft();
      notice('采购单 ' + shortNo(id) + ' 已提交审批，本单位审批人将收到短信通知。');
      await refreshAll();
    });
  }

  // --- orders ---

  async function loadOrders(more) {
    var status = $('orders-filter').value;
    var page = await api('GET', '/procurement/orders?limit=20' + (status ? '&status=' + enc(status) : '') +
      (more && ordersCursor ? '&cursor=' + enc(ordersCursor) : ''));
    orders = more ? orders.concat(page.items || []) : page.items || [];
    ordersCursor = page.nextCursor;
    renderOrders();
    await Promise.all(orders.filter(function (o) { return expanded[o.id]; }).map(function (o) { return loadTrail(o.id); }));
  }
  function linesTable(o) {
    var received = o.lines.some(function (l) { return l.receivedQuantity != null; });
    return '<table class="lines"><thead><tr><th>商品</th><th>单价</th><th>订购</th>' + (received ? '<th>实收</th>' : '') + '<th>金额</th></tr></thead><tbody>' +
      o.lines.map(function (l) {
        return '<tr><td>' + esc(l.productName) + '</td><td>' + esc(yuan(l.unitPriceFen)) + '</td><td>' + esc(l.quantity) + '</td>' +
          (received ? '<td>' + esc(l.receivedQuantity == null ? '—' : l.receivedQuantity) + '</td>' : '') +
          '<td>' + esc(yuan(l.amountFen)) + '</td></tr>';
      }).join('') + '</tbody></table>';
  }
  function facts(o) {
    var rows = [['收货地址', o.deliveryAddress]];
    if (o.rejectReason) rows.push(['驳回原因', o.rejectReason]);
    if (o.invoiceNo) rows.push(['发票号码', o.invoiceNo]);
    if (o.invoiceFen != null) rows.push(['发票金额', yuan(o.invoiceFen)]);
    if (o.acceptedDate) rows.push(['验收日期', o.acceptedDate]);
    if (o.dueDate) rows.push(['付款期限', o.dueDate + (isOverdue(o) ? '（已逾期）' : '')]);
    if (o.paidAt) rows.push(['付款时间', when(o.paidAt)]);
    return '<dl class="facts">' + rows.map(function (r) { return '<dt>' + esc(r[0]) + '</dt><dd>' + esc(r[1]) + '</dd>'; }).join('') + '</dl>';
  }
  function orderCard(o) {
    var id = esc(o.id);
    var late = isOverdue(o);
    var acts = '';
    if (o.status === 'DRAFT' && isBuyer()) {
      acts += '<button type="button" class="btn-sm" id="submit-' + id + '" data-act="submit" data-order="' + id + '">提交审批</button>';
    }
    if (o.status === 'SUBMITTED' && isApprover()) {
      acts += '<button type="button" class="btn-sm ghost" data-act="goto" data-tab="queue">去审批</button>';
    }
    if (o.status === 'SHIPPED' && isBuyer()) {
      acts += '<button type="button" class="btn-sm ghost" data-act="goto" data-tab="accept">去验收</button>';
    }
    acts += '<button type="button" class="btn-sm plain" id="details-' + id + '" data-testid="details" data-act="details" data-order="' + id + '">' +
      (expanded[o.id] ? '收起' : '详情与记录') + '</button>';
    var accepted = o.status === 'ACCEPTED' || o.status === 'PAID';
    return '<article class="order' + (late ? ' overdue' : '') + '" id="order-' + id + '" data-testid="order" data-order-id="' + id +
      '" data-status="' + esc(o.status) + '" data-overdue="' + (late ? 'true' : 'false') + '">' +
      '<div class="o-head"><span class="o-no">采购单 ' + esc(shortNo(o.id)) + '</span>' +
      (late ? '<span class="tag red" id="order-' + id + '-overdue" data-testid="overdue-flag">已逾期</span>' : '') +
      statusTag(o.status, 'order-' + id + '-status') + '</div>' +
      '<p class="o-sum">' + esc(summary(o)) + '</p>' +
      '<div class="o-money"><span>订单金额 <b id="order-' + id + '-total">' + esc(yuan(o.totalFen)) + '</b></span>' +
      (accepted ? '<span>验收金额 <b id="order-' + id + '-accepted">' + esc(yuan(o.acceptedFen)) + '</b></span>' : '') + '</div>' +
      '<p class="o-meta muted small">创建于 ' + esc(when(o.createdAt)) + '</p>' +
      (o.status === 'ACCEPTED' && o.dueDate ? '<p class="o-meta small' + (late ? ' red' : ' muted') + '">' +
        (late ? '已逾期：应于 ' + esc(o.dueDate) + ' 前付款' : '请于 ' + esc(o.dueDate) + ' 前付款') + '</p>' : '') +
      (o.status === 'REJECTED' && o.rejectReason ? '<p class="o-meta small red">驳回原因：' + esc(o.rejectReason) + '</p>' : '') +
      '<div class="o-actions">' + acts + '</div>' +
      '<div class="o-detail" id="detail-' + id + '"' + (expanded[o.id] ? '' : ' hidden') + '>' + linesTable(o) + facts(o) +
      '<h4>操作记录</h4><ol class="trail" id="events-' + id + '" data-testid="events">' + trailItems(o.id) + '</ol></div>' +
      '</article>';
  }
  function renderOrders() {
    $('orders').innerHTML = orders.map(orderCard).join('') || '<div class="card empty">暂无订单</div>';
    $('orders-more').hidden = !ordersCursor;
  }

  // --- the audit trail ---

  function eventDetail(ev) {
    var d = ev.detail || '';
    var m;
    if (!d) return '';
    if (ev.action === 'CREATED' && (m = /^([0-9]+) lines?, ([0-9.,]+) yuan$/.exec(d))) return m[1] + ' 种商品，合计 ¥' + m[2];
    if ((ev.action === 'CONFIRMED' || ev.action === 'SHIPPED') && (m = /lines? ([0-9, ]+)$/.exec(d))) {
      return '明细第 ' + m[1].split(/,\s*/).join('、') + ' 行';
    }
    if (ev.action === 'ACCEPTED' && (m = /^received ([0-9.,]+) of ([0-9.,]+) yuan; invoice (.*)$/.exec(d))) {
      return '实收 ¥' + m[1] + '（订购 ¥' + m[2] + '），发票号码 ' + m[3];
    }
    if (ev.action === 'REJECTED') return '原因：' + d;
    if (ev.action === 'PAID') return '转账流水 ' + d.replace(/\(due ([0-9-]+)\)/, '（付款期限 $1）');
    if (ev.action === 'REMINDED' && (m = /overdue since ([0-9-]+)/.exec(d))) return '付款期限 ' + m[1] + '，已逾期';
    return d;
  }
  function trailItems(id) {
    var evs = trails[id];
    if (!evs) return '<li class="muted small" data-loading="true">加载中…</li>';
    if (!evs.length) return '<li class="muted small">暂无记录</li>';
    return evs.map(function (ev) {
      var detail = eventDetail(ev);
      return '<li data-testid="event" data-action="' + esc(ev.action) + '"><div class="ev-top"><span class="ev-act">' + esc(ACTION_WORDS[ev.action] || ev.action) +
        '</span><span class="ev-who">' + esc(ev.username || '系统') + '</span><time class="ev-at" datetime="' + esc(ev.at) + '">' + esc(when(ev.at)) + '</time></div>' +
        (detail ? '<div class="ev-detail">' + esc(detail) + '</div>' : '') + '</li>';
    }).join('');
  }
  async function loadTrail(id) {
    trails[id] = await api('GET', '/procurement/orders/' + enc(id) + '/events');
    var list = $('events-' + id);
    if (list) list.innerHTML = trailItems(id);
  }
  async function toggleDetails(id) {
    expanded[id] = !expanded[id];
    var d = $('detail-' + id);
    if (d) d.hidden = !expanded[id];
    var b = $('details-' + id);
    if (b) b.textContent = expanded[id] ? '收起' : '详情与记录';
    if (expanded[id]) {
      try { await loadTrail(id); } catch (e) { fail(e); }
    }
  }

  // --- the approver's queue ---

  async function loadQueue() {
    var page = await api('GET', '/procurement/orders?status=SUBMITTED&limit=100');
    queue = page.items || [];
    // Who submitted each (the audit trail names them): an approver decides on others' orders only.
    await Promise.all(queue.filter(function (o) { return !(o.id in submitters); }).map(function (o) {
      return api('GET', '/procurement/orders/' + enc(o.id) + '/events').then(function (evs) {
        var s = (evs || []).filter(function (ev) { return ev.action === 'SUBMITTED'; }).pop();
        submitters[o.id] = s ? s.username : null;
      }).catch(function () { submitters[o.id] = null; });
    }));
    renderQueue();
  }
  function queueCard(o) {
    var id = esc(o.id);
    var mine = me && o.submittedBy === me.id;
    var who = mine ? '您本人' : submitters[o.id] || '本单位采购员';
    var open = !!rejecting[o.id];
    return '<article class="order" id="queue-' + id + '" data-testid="queue-order" data-order-id="' + id + '">' +
      '<div class="o-head"><span class="o-no">采购单 ' + esc(shortNo(o.id)) + '</span>' + statusTag(o.status) + '</div>' +
      '<div class="o-money"><span>订单金额 <b id="queue-' + id + '-total">' + esc(yuan(o.totalFen)) + '</b></span></div>' +
      '<p class="o-meta muted small">提交人：' + esc(who) + ' · 创建于 ' + esc(when(o.createdAt)) + '</p>' +
      '<div class="o-detail">' + linesTable(o) + facts(o) + '</div>' +
      '<div class="o-actions"' + (open ? ' hidden' : '') + ' id="decide-' + id + '">' +
      '<button type="button" class="btn-sm ghost" id="reject-' + id + '" data-testid="reject" data-act="reject-open" data-order="' + id + '">驳回</button>' +
      '<button type="button" class="btn-sm green" id="approve-' + id + '" data-testid="approve" data-act="approve" data-order="' + id + '">批准</button></div>' +
      '<div class="reject-form" id="reject-form-' + id + '"' + (open ? '' : ' hidden') + '>' +
      '<label for="reject-reason-' + id + '">驳回原因</label>' +
      '<input id="reject-reason-' + id + '" data-testid="reject-reason" type="text" maxlength="255" placeholder="如：超出本季度预算">' +
      '<div class="o-actions"><button type="button" class="btn-sm plain" id="reject-cancel-' + id + '" data-act="reject-cancel" data-order="' + id + '">取消</button>' +
      '<button type="button" class="btn-sm dark" id="reject-confirm-' + id + '" data-testid="reject-confirm" data-act="reject" data-order="' + id + '">确认驳回</button></div></div>' +
      '</article>';
  }
  function renderQueue() {
    $('queue').innerHTML = queue.map(queueCard).join('') || '<div class="card empty" data-testid="queue-empty">暂无待审批的订单</div>';
    $('queue-count').textContent = String(queue.length);
    $('queue-count').className = 'count' + (queue.length ? '' : ' zero');
  }
  async function decide(id, action, button) {
    clearMessages();
    var body = {};
    if (action === 'reject') {
      var reason = $('reject-reason-' + id).value.trim();
      if (!reason) { showError(FIELDS.reason); $('reject-reason-' + id).focus(); return; }
      body = { reason: reason };
    }
    await busy(button, action === 'approve' ? '批准中…' : '驳回中…', async function () {
      try {
        await post('/procurement/orders/' + enc(id) + '/' + action, body);
      } catch (e) {
        if (e.code === 'invalid-procurement-state') await refreshAll();
        throw e;
      }
      delete rejecting[id];
      notice(action === 'approve'
        ? '已批准采购单 ' + shortNo(id) + '，等待供应商确认发货。'
        : '已驳回采购单 ' + shortNo(id) + '。');
      await refreshAll();
    });
  }

  // --- acceptance ---

  async function loadToAccept() {
    var page = await api('GET', '/procurement/orders?status=SHIPPED&limit=100');
    toAccept = page.items || [];
    renderAccepts();
  }
  function acceptCard(o) {
    var id = esc(o.id);
    var total = o.lines.reduce(function (a, l) { return a + l.amountFen; }, 0);
    return '<article class="order" id="accept-card-' + id + '" data-testid="accept-order" data-order-id="' + id + '">' +
      '<div class="o-head"><span class="o-no">采购单 ' + esc(shortNo(o.id)) + '</span>' + statusTag(o.status) + '</div>' +
      '<p class="o-meta muted small">收货地址：' + esc(o.deliveryAddress) + '</p>' +
      '<p class="muted small" style="margin-top:8px">请按实际到货数量填写实收数量，发票金额须与实收金额一致。</p>' +
      o.lines.map(function (l) {
        var key = id + '-' + esc(l.productId);
        return '<div class="a-line"><div class="a-name">' + esc(l.productName) + '<span>单价 ' + esc(yuan(l.unitPriceFen)) + ' · 订购 ' + esc(l.quantity) + '</span></div>' +
          '<div><label for="recv-' + key + '">实收数量</label><input id="recv-' + key + '" data-testid="received" data-order="' + id + '" data-product="' + esc(l.productId) +
          '" type="number" inputmode="numeric" min="0" max="' + esc(l.quantity) + '" step="1" value="' + esc(l.quantity) + '"></div>' +
          '<div class="a-amt" id="recv-amount-' + key + '">' + esc(yuan(l.amountFen)) + '</div></div>';
      }).join('') +
      '<div class="kv total"><span>实收金额</span><span class="v" id="accept-total-' + id + '" data-testid="accept-total" data-fen="' + total + '">' + esc(yuan(total)) + '</span></div>' +
      '<div class="inv"><div><label for="invoice-no-' + id + '">发票号码</label><input id="invoice-no-' + id + '" data-testid="invoice-no" type="text" maxlength="64" placeholder="供应商开具的发票号码"></div>' +
      '<div><label for="invoice-amount-' + id + '">发票金额（元）</label><input id="invoice-amount-' + id + '" data-testid="invoice-amount" data-order="' + id +
      '" type="text" inputmode="decimal" value="' + esc(yuanDigits(total)) + '"></div></div>' +
      '<p class="inv-warn" id="invoice-warn-' + id + '" hidden></p>' +
      '<button type="button" class="btn" id="accept-' + id + '" data-testid="accept" data-act="accept" data-order="' + id + '">确认验收</button>' +
      '</article>';
  }
  function renderAccepts() {
    var box = $('accepts');
    var ids = toAccept.map(function (o) { return o.id; }).join(',');
    // The forms stay as typed while the same orders wait.
    if (box.getAttribute('data-ids') !== ids || !ids) {
      box.innerHTML = toAccept.map(acceptCard).join('') || '<div class="card empty" data-testid="accept-empty">暂无待验收的订单</div>';
      box.setAttribute('data-ids', ids);
    }
    $('accept-count').textContent = String(toAccept.length);
    $('accept-count').className = 'count' + (toAccept.length ? '' : ' zero');
  }
  function acceptOrder(id) { return toAccept.filter(function (o) { return o.id === id; })[0]; }
  /** What was received, line by line, and its amount; bad when a quantity is not 0 … ordered. */
  function received(o) {
    var r = { lines: [], totalFen: 0, bad: false };
    o.lines.forEach(function (l) {
      var input = $('recv-' + o.id + '-' + l.productId);
      var n = parseQty(input ? input.value : '');
      if (n === null || n > l.quantity) { r.bad = true; n = 0; }
      r.lines.push({ productId: l.productId, receivedQuantity: n, amountFen: n * l.unitPriceFen });
      r.totalFen += n * l.unitPriceFen;
    });
    return r;
  }
  function updateAccept(id) {
    var o = acceptOrder(id);
    if (!o) return;
    var r = received(o);
    r.lines.forEach(function (l) {
      var el = $('recv-amount-' + id + '-' + l.productId);
      if (el) el.textContent = yuan(l.amountFen);
    });
    var t = $('accept-total-' + id);
    t.textContent = r.bad ? '—' : yuan(r.totalFen);
    t.setAttribute('data-fen', String(r.totalFen));
    var inv = $('invoice-amount-' + id);
    if (inv.getAttribute('data-edited') !== 'true' && !r.bad) inv.value = yuanDigits(r.totalFen);
    checkInvoice(id, r);
  }
  function checkInvoice(id, r) {
    var fen = parseFen($('invoice-amount-' + id).value);
    var warn = $('invoice-warn-' + id);
    var text = r.bad ? FIELDS.receivedQuantity
      : fen === null ? '请填写正确的发票金额（元），最多两位小数。'
        : fen !== r.totalFen ? '发票金额 ' + yuan(fen) + ' 与实收金额 ' + yuan(r.totalFen) + ' 不一致，请核对发票。' : '';
    warn.textContent = text;
    warn.hidden = !text;
    return text;
  }
  async function accept(id, button) {
    clearMessages();
    var o = acceptOrder(id);
    if (!o) return;
    var r = received(o);
    if (r.bad) { showError(FIELDS.receivedQuantity); return; }
    if (r.totalFen === 0) { showError(ERRORS['nothing-received']); return; }
    var invoiceNo = $('invoice-no-' + id).value.trim();
    if (!invoiceNo) { showError(FIELDS.invoiceNo); $('invoice-no-' + id).focus(); return; }
    var bad = checkInvoice(id, r);
    if (bad) { showError(bad); return; }
    await busy(button, '验收中…', async function () {
      var done;
      try {
        done = await post('/procurement/orders/' + enc(id) + '/accept', {
          lines: r.lines.map(function (l) { return { productId: l.productId, receivedQuantity: l.receivedQuantity }; }),
          invoiceNo: invoiceNo,
          invoiceFen: parseFen($('invoice-amount-' + id).value)
        });
      } catch (e) {
        if (e.code === 'invalid-procurement-state') await refreshAll();
        throw e;
      }
      notice('采购单 ' + shortNo(id) + ' 验收完成：实收 ' + yuan(done.acceptedFen) + '，已计入本单位年度采购额度' +
        (done.dueDate ? '；请于 ' + done.dueDate + ' 前付款。' : '。'));
      await refreshAll();
    });
  }

  // --- loading it all ---

  async function refreshAll() {
    var jobs = [loadQuota(), loadOrders(false), loadOverdue()];
    if (isApprover()) jobs.push(loadQueue());
    if (isBuyer()) jobs.push(loadToAccept());
    await Promise.all(jobs);
    // Overdue flags come from both lists: draw the orders again once both are in.
    renderOrders();
  }
  async function openPortal() {
    loading('busy');
    show('loading');
    try {
      me = await api('GET', '/me');
      if (!isUnit(me.roles)) { reset(); show('login'); showError(NOT_UNIT); return; }
      if (!me.organizationId) { reset(); show('login'); showError('该账号未绑定单位，请联系管理员。'); return; }
      org = await api('GET', '/organizations/' + enc(me.organizationId));
      renderHead();
      setupTabs();
      await Promise.all([refreshAll(), isBuyer() ? loadProducts(false) : null]);
      show('portal');
    } catch (e) {
      if (e.expired) { reset(); show('login'); showError(e); return; }
      showError(e);
      loading('retry');
    }
  }
  async function refresh(button) {
    clearMessages();
    await busy(button, '刷新中…', async function () {
      await Promise.all([refreshAll(), isBuyer() ? loadProducts(false) : null]);
    });
  }

  // --- signing in and out ---

  function signIn() {
    clearMessages();
    return staffSignIn(isUnit, NOT_UNIT, function () { return openPortal(); });
  }
  function reset() {
    store(TOKEN_KEY, null);
    me = null; org = null; quota = null; orders = []; queue = []; toAccept = []; overdue = [];
    products = []; qty = {}; draft = null; expanded = {}; trails = {}; submitters = {}; rejecting = {}; tab = null;
    $('accepts').removeAttribute('data-ids');
  }
  function signOut() {
    reset();
    clearMessages();
    show('login');
    $('username').focus();
  }

  // --- wiring ---

  $('btn-login').addEventListener('click', signIn);
  $('password').addEventListener('keydown', function (e) { if (e.key === 'Enter') signIn(); });
  $('username').addEventListener('keydown', function (e) { if (e.key === 'Enter') $('password').focus(); });
  $('btn-logout').addEventListener('click', signOut);
  $('btn-logout-top').addEventListener('click', signOut);
  $('btn-retry').addEventListener('click', function () { hideError(); openPortal(); });
  $('btn-refresh').addEventListener('click', function () { refresh($('btn-refresh')); });
  document.querySelector('.tabs').addEventListener('click', function (ev) {
    var t = ev.target.closest ? ev.target.closest('[data-tab]') : null;
    if (t) setTab(t.getAttribute('data-tab'));
  });

  $('products').addEventListener('click', function (ev) {
    var t = ev.target.closest ? ev.target.closest('button[data-act]') : null;
    if (!t) return;
    var id = t.getAttribute('data-product');
    setQty(id, (qty[id] || 0) + (t.getAttribute('data-act') === 'plus' ? 1 : -1));
  });
  $('products').addEventListener('input', function (ev) {
    var id = ev.target.getAttribute('data-product');
    if (!id) return;
    var n = parseQty(ev.target.value);
    qty[id] = n === null ? 0 : Math.min(1000000, n);
    renderDraft();
  });
  $('products').addEventListener('change', function (ev) {
    var id = ev.target.getAttribute('data-product');
    if (id) setQty(id, qty[id] || 0);
  });
  $('products-more').addEventListener('click', function () {
    busy($('products-more'), '加载中…', function () { return loadProducts(true); });
  });
  $('btn-create-draft').addEventListener('click', createDraft);
  $('btn-submit-draft').addEventListener('click', function () { if (draft) submitOrder(draft.id, $('btn-submit-draft')); });

  $('orders').addEventListener('click', function (ev) {
    var t = ev.target.closest ? ev.target.closest('button[data-act]') : null;
    if (!t) return;
    var act = t.getAttribute('data-act');
    var id = t.getAttribute('data-order');
    if (act === 'details') toggleDetails(id);
    else if (act === 'submit') submitOrder(id, t);
    else if (act === 'goto') { setTab(t.getAttribute('data-tab')); window.scrollTo(0, 0); }
  });
  $('orders-filter').addEventListener('change', function () {
    clearMessages();
    busy(null, '', function () { return loadOrders(false); });
  });
  $('orders-more').addEventListener('click', function () {
    busy($('orders-more'), '加载中…', function () { return loadOrders(true); });
  });

  $('queue').addEventListener('click', function (ev) {
    var t = ev.target.closest ? ev.target.closest('button[data-act]') : null;
    if (!t) return;
    var act = t.getAttribute('data-act');
    var id = t.getAttribute('data-order');
    if (act === 'approve') decide(id, 'approve', t);
    else if (act === 'reject') decide(id, 'reject', t);
    else if (act === 'reject-open' || act === 'reject-cancel') {
      var open = act === 'reject-open';
      if (open) rejecting[id] = true; else delete rejecting[id];
      $('reject-form-' + id).hidden = !open;
      $('decide-' + id).hidden = open;
      if (open) $('reject-reason-' + id).focus();
    }
  });
  $('queue').addEventListener('keydown', function (ev) {
    var id = ev.target.id && ev.target.id.indexOf('reject-reason-') === 0 ? ev.target.id.slice(14) : null;
    if (id && ev.key === 'Enter') decide(id, 'reject', $('reject-confirm-' + id));
  });

  $('accepts').addEventListener('input', function (ev) {
    var id = ev.target.getAttribute('data-order');
    if (!id) return;
    if (ev.target.id === 'invoice-amount-' + id) {
      ev.target.setAttribute('data-edited', 'true');
      var o = acceptOrder(id);
      if (o) checkInvoice(id, received(o));
    } else {
      updateAccept(id);
    }
  });
  $('accepts').addEventListener('click', function (ev) {
    var t = ev.target.closest ? ev.target.closest('button[data-act="accept"]') : null;
    if (t) accept(t.getAttribute('data-order'), t);
  });

  if (load(TOKEN_KEY)) openPortal(); else { loading('none'); show('login'); }
})();
</script>
</body>
</html>
`;
