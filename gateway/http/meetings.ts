/**
 * The meeting a document calls (a giấy mời): read it, and a clerk sets or corrects it. A change
 * mails the assignee an updated calendar invitation (same UID, higher SEQUENCE); removing it mails
 * a cancellation (docs/act-by-email.md, "Meeting invitations").
 */
import type { FastifyInstance } from 'fastify';
import type { Mailer } from '../registry/ports.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import { getMeeting, setMeeting, syncMeetingInvites, type MeetingInput } from '../registry/workflow/meetings.ts';
import { idParams, principalOf, TAG } from './registry-common.ts';

const instant = { type: 'string', maxLength: 40, description: 'ISO 8601 with offset, e.g. 2026-12-15T08:00:00+07:00' };

/** `mailer`: sends the invitations a change calls for; null: the next assignment job sends them. */
export function meetingRoutes(rt: RegistryRuntime, mailer: Mailer | null) {
  return async (app: FastifyInstance) => {
    app.get<{ Params: { id: string } }>(
      '/api/documents/:id/meeting',
      {
        config: { permission: 'documents.read' },
        schema: { tags: TAG, summary: 'The meeting the document calls (start, end, place, source), or null', params: idParams },
      },
      async (req) => ({ meeting: await getMeeting(rt, principalOf(req), req.params.id) }),
    );

    app.post<{ Params: { id: string }; Body: { meeting: MeetingInput | null } }>(
      '/api/documents/:id/meeting',
      {
        config: { permission: 'documents.review' },
        schema: {
          tags: TAG,
          summary: "Set, correct or remove (null) the meeting; the assignee's calendar invitation is updated or cancelled",
          params: idParams,
          body: {
            type: 'object',
            required: ['meeting'],
            additionalProperties: false,
            properties: {
              meeting: {
                type: ['object', 'null'],
                required: ['start'],
                additionalProperties: false,
                properties: { start: instant, end: { ...instant, type: ['string', 'null'] }, place: { type: ['string', 'null'], maxLength: 500 } },
              },
            },
          },
        },
      },
      async (req) => {
        const meeting = await setMeeting(rt, principalOf(req), req.params.id, req.body.meeting);
        if (!mailer) return { meeting, invitations: [] };
        try {
          return { meeting, invitations: await syncMeetingInvites(rt, mailer, req.params.id) };
        } catch (err) {
          // The change stands (committed, audited); the mailer kept the error on its outbound row.
          req.log.warn({ document: req.params.id, err: (err as Error).message }, 'meeting invitation mail failed');
          return { meeting, invitations: 'failed' };
        }
      },
    );
  };
}
