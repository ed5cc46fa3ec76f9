// What the pages do with scripts, each optional: without scripts every page still works.
//
// 1. The navigation's menu button at a phone's width: the navigation is folded behind it
//    (only when this script runs, so that without scripts the navigation stays open).
// 2. Times of the audit trail in the reader's own time zone: the server writes them in UTC
//    in a <time class="local-time" datetime="..."> element; they are rewritten in the page's
//    language and the browser's time zone.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("menu-button");
  var nav = document.getElementById("site-nav");
  if (button && nav) {
    button.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  var lang = document.documentElement.lang || undefined;
  document.querySelectorAll("time.local-time").forEach(function (t) {
    var when = new Date(t.getAttribute("datetime"));
    if (isNaN(when)) return;
    t.title = t.textContent;
    t.textContent = when.toLocaleString(lang, { dateStyle: "long", timeStyle: "short" });
  });
});
