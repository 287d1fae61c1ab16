// Owns the decision for window.open and target=_blank links: never a new Electron window; http(s) links
// go to the OS browser (a model card's reference, say); any other scheme (file:, javascript:, …) nowhere.

export function decideWindowOpen(url: string): { action: 'deny'; openExternally: boolean } {
  return { action: 'deny', openExternally: /^https?:\/\/[^/]/i.test(url) };
}
