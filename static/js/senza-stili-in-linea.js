// Read by the video player bundled in Bootstrap Italia: without it, the bundle adds style
// elements to the page as it loads, which the Content-Security-Policy (style-src 'self')
// refuses. The portal has no video player. base.html loads this file (deferred) before
// bootstrap-italia.bundle.min.js.
window.VIDEOJS_NO_DYNAMIC_STYLE = true;
