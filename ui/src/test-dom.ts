import { act } from 'react';
import type { ReactNode } from 'react';
import { createRoot } from 'react-dom/client';

/** Helpers for component tests in happy-dom: render, type into a labelled field, click, submit. */

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export interface Rendered {
  container: HTMLElement;
  unmount(): void;
}

export async function render(node: ReactNode): Promise<Rendered> {
  const container = document.createElement('div');
  document.body.append(container);
  const root = createRoot(container);
  await act(async () => root.render(node));
  return {
    container,
    unmount: () => {
      act(() => root.unmount());
      container.remove();
    },
  };
}

/** The control whose <label> reads `text` (exactly). */
export function byLabel<T extends HTMLElement = HTMLInputElement>(container: HTMLElement, text: string): T {
  const label = [...container.querySelectorAll('label')].find((candidate) => candidate.textContent?.trim() === text);
  if (label === undefined) throw new Error(`no label "${text}"`);
  const control = container.querySelector(`#${CSS.escape(label.htmlFor)}`);
  if (control === null) throw new Error(`label "${text}" names no control`);
  return control as T;
}

/** The error text shown for a control (through its aria-describedby), or null. */
export function errorOf(container: HTMLElement, control: HTMLElement): string | null {
  const ids = control.getAttribute('aria-describedby')?.split(' ') ?? [];
  for (const id of ids) {
    const node = container.querySelector(`#${CSS.escape(id)}`);
    if (node?.classList.contains('field-error')) return node.textContent;
  }
  return null;
}

export async function type(control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, value: string): Promise<void> {
  const proto = control instanceof HTMLSelectElement ? HTMLSelectElement.prototype : control instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  await act(async () => {
    Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(control, value);
    control.dispatchEvent(new Event(control instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  });
}

export async function click(element: Element): Promise<void> {
  await act(async () => {
    (element as HTMLElement).click();
  });
}

export function button(container: HTMLElement, text: string): HTMLButtonElement {
  const found = [...container.querySelectorAll('button')].find((candidate) => candidate.textContent?.trim() === text);
  if (found === undefined) throw new Error(`no button "${text}"`);
  return found;
}

/** Lets pending promises (a fetch answer) settle inside act. */
export async function settle(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

/** The control whose aria-label reads `text` (exactly): controls in table rows are labelled that way. */
export function byAria<T extends HTMLElement = HTMLInputElement>(container: HTMLElement, text: string): T {
  const found = [...container.querySelectorAll<T>('[aria-label]')].find((candidate) => candidate.getAttribute('aria-label') === text);
  if (found === undefined) throw new Error(`no control labelled "${text}"`);
  return found;
}

/** Ticks or unticks a checkbox or radio (React listens to click). */
export async function check(control: HTMLInputElement): Promise<void> {
  await act(async () => {
    control.click();
  });
}
