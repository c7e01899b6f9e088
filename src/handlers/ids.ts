/**
 * Handler ids as Kopf forms them: `options.id`, else the function's name; `/spec.field` appended for field
 * handlers (also to an explicit id, as Kopf); `parent/child` for sub-handlers. An anonymous function without an id is a registration error.
 * Used by src/on.ts. No I/O.
 */
import type { FieldPath } from '../model/dicts.ts';

/** The id of a handler being registered. */
export function handlerId(fn: (...args: any[]) => unknown, options: { id?: string | undefined }, field: FieldPath | null, what: string, parent?: string): string {
  let id = options.id;
  if (id === undefined || id === '') {
    const name = fn.name;
    if (!name || name === 'anonymous' || name.startsWith('bound ')) {
      throw new TypeError(
        `An anonymous ${what} handler needs an id: pass { id: 'my_handler' } in the options, or use a named function (async function my_handler(…) {…}).`,
      );
    }
    id = name;
  }
  if (field && field.length) id = `${id}/${field.join('.')}`;
  return parent ? `${parent}/${id}` : id;
}
