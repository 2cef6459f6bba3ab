/* microsim-resize.js: for the page that embeds sims (a MkDocs book's extra_javascript, or a
 * <script src> on any course page). A sim whose controls wrap onto more rows than its fixed
 * iframe height holds (a phone) posts the MicroSim ecosystem's message
 * {type: 'microsim-resize', height} to its parent (static/microsim.js, fitHeight); this sets
 * the height of the iframe that sent it. Without it the iframe keeps its fixed height and cuts
 * the last controls. Only the iframe whose window sent the message is changed.
 */
'use strict';
window.addEventListener('message', (event) => {
  const data = event.data;
  if (!data || data.type !== 'microsim-resize') return;
  const height = Math.ceil(Number(data.height));
  if (!(height > 0 && height < 100000)) return;
  for (const frame of document.querySelectorAll('iframe')) {
    if (frame.contentWindow === event.source) frame.style.height = `${height}px`;
  }
});
