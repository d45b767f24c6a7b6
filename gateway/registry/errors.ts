/** An error with the HTTP status the API answers with; messages are Vietnamese with English in brackets. */
export class RegistryError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra fields of the answer's body, e.g. `{ fields: [...] }` for a 422. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

export const notFound = (what = 'văn bản (document)') => new RegistryError(404, `Không tìm thấy ${what} (not found)`);
export const forbidden = () => new RegistryError(403, 'Không có quyền thực hiện (forbidden for your role or unit)');
