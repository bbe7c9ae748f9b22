// Keeps a word and a following mark or dependent vowel on one line.
// ICU's Lao dictionary (Chromium 156) splits words it does not know before LAO VOWEL SIGN
// AM ("ພັນທຸກ|ຳ"), so a line could start with the vowel. Where the browser's own word
// segmenter puts a boundary before a character that cannot start a word, the two words
// are wrapped in a nowrap span: layout only, the text is unchanged. Pages read fine
// without it; the PDF printer runs it before printing.
window.l10nKeepClusters = () => {
  const nonStarter = /^[\p{M}\u0E30\u0E32\u0E33\u0E45\u0EB0\u0EB2\u0EB3]/u;
  const complex = /[\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF]/u;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const nodes = [];
  while (walker.nextNode()) {
    if (complex.test(walker.currentNode.data)) nodes.push(walker.currentNode);
  }
  let kept = 0;
  for (const node of nodes) {
    const lang = node.parentElement.closest("[lang]")?.lang || document.documentElement.lang;
    const parts = Array.from(new Intl.Segmenter(lang, {granularity: "word"}).segment(node.data));
    const cuts = [];
    for (let i = 1; i < parts.length; i++) {
      if (!nonStarter.test(parts[i].segment)) continue;
      const [start, end] = [parts[i - 1].index, parts[i].index + parts[i].segment.length];
      if (cuts.length && start < cuts[cuts.length - 1][1]) cuts[cuts.length - 1][1] = end;
      else cuts.push([start, end]);
    }
    for (const [start, end] of cuts.reverse()) {
      const range = document.createRange();
      range.setStart(node, start);
      range.setEnd(node, end);
      const span = document.createElement("span");
      span.style.whiteSpace = "nowrap";
      range.surroundContents(span);
      kept++;
    }
  }
  return kept;
};
window.l10nKeepClusters();
