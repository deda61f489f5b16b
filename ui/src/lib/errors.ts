// Keeps the errors the app would print to the console, so end-to-end tests can
// check there were none (WebKitWebDriver cannot read the console itself).

declare global {
  interface Window {
    ordinavoErrors?: string[];
  }
}

export function recordErrors(target: Window) {
  const errors: string[] = [];
  target.ordinavoErrors = errors;
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    errors.push(args.map(String).join(' '));
    original(...args);
  };
  target.addEventListener('error', (event) => errors.push(String(event.message)));
  target.addEventListener('unhandledrejection', (event) => errors.push(String(event.reason)));
}
