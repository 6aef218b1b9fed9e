// Expand or collapse every branch of a requirement tree ("Expand all" / "Collapse all" buttons).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-tree-toggle]");
  if (!button) return;
  const open = button.dataset.treeToggle === "open";
  document.querySelectorAll(".requirement-tree details").forEach((details) => { details.open = open; });
});
