/**
 * The views as a tab list, as WAI-ARIA's Tabs pattern describes it, usable by
 * keyboard alone: Tab reaches the selected tab (the others have tabindex -1,
 * a "roving" tab stop), ←/→ move to the previous/next tab and select it (with
 * wrap-around), Home/End to the first/last; Tab again goes into the panel.
 */

/**
 * @param {HTMLElement} tablist  the element with role="tablist"
 * @param {(tabId: string) => void} onSelect  called with the selected tab's id
 * @returns {(tabId: string) => void}  selects a tab from code
 */
export function setUpTabs(tablist, onSelect) {
  const tabs = [...tablist.querySelectorAll('[role="tab"]')].filter((tab) => tab instanceof HTMLElement);

  /**
   * @param {HTMLElement} chosen
   * @param {boolean} focus
   */
  function select(chosen, focus) {
    for (const tab of tabs) {
      const selected = tab === chosen;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      const panel = document.getElementById(tab.getAttribute('aria-controls') ?? '');
      if (panel !== null) panel.hidden = !selected;
    }
    if (focus) chosen.focus();
    onSelect(chosen.id);
  }

  for (const tab of tabs) {
    tab.addEventListener('click', () => {
      select(tab, false);
    });
    tab.addEventListener('keydown', (event) => {
      const at = tabs.indexOf(tab);
      /** @type {Record<string, number>} */
      const moves = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 };
      const to = moves[event.key];
      if (to === undefined) return;
      event.preventDefault();
      const target = tabs[(to + tabs.length) % tabs.length];
      if (target !== undefined) select(target, true);
    });
  }
  return (tabId) => {
    const tab = tabs.find((candidate) => candidate.id === tabId);
    if (tab !== undefined) select(tab, false);
  };
}
