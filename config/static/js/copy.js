// Copy buttons for calendar addresses: progressive enhancement (the buttons stay hidden
// without JavaScript; the address can still be selected and copied by hand).
document.querySelectorAll("button.copy-button[data-copy-target]").forEach((button) => {
  const input = document.getElementById(button.dataset.copyTarget);
  if (!input || !navigator.clipboard) return;
  button.hidden = false;
  const label = button.textContent;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      button.textContent = button.dataset.copiedLabel || label;
    } catch (error) {
      input.select();
    }
    setTimeout(() => { button.textContent = label; }, 2500);
  });
});
