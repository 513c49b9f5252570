/**
 * The demo practice website served at `/`: what a small practice's own site looks like with the chat widget
 * embedded by one script tag. Practice details are HTML-escaped; the inline stylesheet is allowed by its hash.
 */
import { createHash } from 'node:crypto';
import { escapeHtml } from '../html-escape';

export interface DemoPractice {
  readonly practiceName: string;
  readonly practicePhone: string;
  readonly practiceAddress: string;
  /** Opening hours as [days, hours] rows, from the practice's own data. */
  readonly openingHours: ReadonlyArray<readonly [days: string, hours: string]>;
}

export interface DemoSite {
  readonly html: string;
  readonly contentSecurityPolicy: string;
}

const SERVICES: ReadonlyArray<readonly [title: string, text: string]> = [
  ['Check-ups and prevention', 'Annual physicals, screenings and vaccinations for every age.'],
  ['Same-day sick visits', 'Feeling unwell? Ask for a same-day appointment and we will fit you in.'],
  ['Care for children', 'Well-child visits, school and sports forms, and advice for parents.'],
];

const SITE_STYLES = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font-family:Georgia,"Times New Roman",serif;font-size:18px;line-height:1.6;color:#1f2933;background:#fbfaf7}
h1,h2,h3,.brand,nav{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
a{color:#0b5563}
a:focus-visible{outline:3px solid #1a4fd6;outline-offset:2px}
.container{max-width:1040px;margin:0 auto;padding:0 24px}
.skip-link{position:absolute;left:16px;top:-60px;padding:8px 16px;background:#ffffff;color:#0b5563;z-index:10}
.skip-link:focus{top:12px}
.site-header{background:#ffffff;border-bottom:1px solid #d5dbe1}
.site-header .container{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:12px;padding-top:16px;padding-bottom:16px}
.brand{font-size:1.3rem;font-weight:700;color:#0b5563;text-decoration:none}
nav ul{display:flex;flex-wrap:wrap;gap:20px;margin:0;padding:0;list-style:none;font-size:1rem}
.hero{background:#e3eff1;padding:64px 0}
.hero h1{margin:0 0 12px;font-size:2.4rem;line-height:1.2;color:#083f49}
.hero p{max-width:640px;margin:0 0 16px}
.button{display:inline-block;padding:12px 22px;border-radius:8px;background:#0b5563;color:#ffffff;font-family:system-ui,sans-serif;font-weight:600;text-decoration:none}
.button:hover{background:#083f49}
section{padding:48px 0}
h2{margin:0 0 24px;font-size:1.8rem;color:#083f49}
h3{margin:0 0 8px;font-size:1.15rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:24px}
.card{padding:24px;border:1px solid #d5dbe1;border-radius:12px;background:#ffffff}
.card p{margin:0}
.hours{display:grid;grid-template-columns:max-content 1fr;gap:4px 24px;margin:0}
.hours dt{font-weight:600}
.hours dd{margin:0}
address{font-style:normal;white-space:pre-line}
.emergency{margin-top:32px;padding:16px 20px;border-left:6px solid #b42318;background:#fdecea}
.site-footer{padding:32px 0 96px;background:#1f2933;color:#f5f7fa;font-size:0.95rem}
.site-footer a{color:#bfe3ea}
`;

function telephoneHref(phone: string): string {
  return `tel:${phone.replace(/[^+\d]/g, '')}`;
}

function renderHours(openingHours: DemoPractice['openingHours']): string {
  return openingHours.map(([days, hours]) => `<dt>${escapeHtml(days)}</dt><dd>${escapeHtml(hours)}</dd>`).join('');
}

function renderServices(): string {
  return SERVICES.map(
    ([title, text]) => `<div class="card"><h3>${escapeHtml(title)}</h3><p>${escapeHtml(text)}</p></div>`,
  ).join('');
}

function renderBody(practice: DemoPractice): string {
  const name = escapeHtml(practice.practiceName);
  const phone = escapeHtml(practice.practicePhone);
  const tel = escapeHtml(telephoneHref(practice.practicePhone));
  return `<a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header"><div class="container">
<a class="brand" href="/">${name}</a>
<nav aria-label="Main"><ul><li><a href="#services">Services</a></li><li><a href="#visit">Hours &amp; location</a></li><li><a href="${tel}">Call ${phone}</a></li></ul></nav>
</div></header>
<main id="main">
<section class="hero" aria-labelledby="hero-title"><div class="container">
<h1 id="hero-title">Caring for your family, close to home</h1>
<p>${name} looks after patients of every age, from newborns to grandparents, with unhurried visits and a team that knows you.</p>
<p>Questions about appointments, opening hours or insurance? Use the <strong>Chat with us</strong> button at any hour, or call us during opening hours.</p>
<p><a class="button" href="${tel}">Call ${phone}</a></p>
</div></section>
<section id="services" aria-labelledby="services-title"><div class="container">
<h2 id="services-title">Services</h2><div class="cards">${renderServices()}</div>
</div></section>
<section id="visit" aria-labelledby="visit-title"><div class="container">
<h2 id="visit-title">Hours &amp; location</h2>
<div class="cards">
<div class="card"><h3>Opening hours</h3><dl class="hours">${renderHours(practice.openingHours)}</dl></div>
<div class="card"><h3>Address</h3><address>${escapeHtml(practice.practiceAddress)}</address></div>
<div class="card"><h3>Phone</h3><p><a href="${tel}">${phone}</a></p></div>
</div>
<p class="emergency"><strong>In an emergency, call 911.</strong> Our chat and phone lines are not for emergencies.</p>
</div></section>
</main>
<footer class="site-footer"><div class="container">
<p>&copy; ${new Date().getFullYear()} ${name}. A demo practice website for Clinic Concierge.</p>
</div></footer>
<script src="/widget.js" async></script>`;
}

/** Renders the demo site once; the result is served as is. */
export function renderDemoSite(practice: DemoPractice): DemoSite {
  const styleHash = createHash('sha256').update(SITE_STYLES).digest('base64');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(practice.practiceName)}</title>
<meta name="description" content="${escapeHtml(`${practice.practiceName}: family medicine, ${practice.practiceAddress}`)}">
<link rel="icon" href="data:,">
<style>${SITE_STYLES}</style>
</head>
<body>
${renderBody(practice)}
</body>
</html>
`;
  const contentSecurityPolicy = [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'sha256-${styleHash}'`,
    "img-src 'self' data:",
    "frame-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy };
}
