/**
 * The issuance error, apart from the PDF code (incremental.ts, pdf-lib) so that the modules that only
 * throw or test for it (keys, PKCS #11, TSA, OCSP) do not load pdf-lib when the gateway starts
 * (docs/operations.md, "Memory").
 */
import { PermanentError } from '../../errors.ts';

/** The document cannot be read or updated in place. */
export class IssueError extends PermanentError {}
