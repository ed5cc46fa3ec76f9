// The navigation's menu button at a phone's width: the navigation is folded behind it (only
// when this script runs, so that without scripts the navigation stays open).
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("menu-button");
  var nav = document.getElementById("site-nav");
  if (!button || !nav) return;
  button.addEventListener("click", function () {
    var open = nav.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
});
