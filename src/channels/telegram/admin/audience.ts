// Who a broadcast goes to. Stored as text in Broadcast.audience (`all`, `not-submitted`,
// `unit:<code>`, `group:<id>`), the same words as `khaosat broadcast --audience`.

/** A broadcast audience within one campaign. */
export type Audience =
  | { readonly kind: "all" }
  | { readonly kind: "not-submitted" }
  | { readonly kind: "unit"; readonly unit: string }
  | { readonly kind: "group"; readonly group: string };

/** The stored text of an audience. */
export function formatAudience(audience: Audience): string {
  switch (audience.kind) {
    case "all":
    case "not-submitted":
      return audience.kind;
    case "unit":
      return `unit:${audience.unit}`;
    case "group":
      return `group:${audience.group}`;
  }
}

/** Reads a stored audience; undefined when the text is not one. */
export function parseAudience(text: string): Audience | undefined {
  if (text === "all" || text === "not-submitted") return { kind: text };
  if (text.startsWith("unit:") && text.length > 5) return { kind: "unit", unit: text.slice(5) };
  if (text.startsWith("group:") && text.length > 6) return { kind: "group", group: text.slice(6) };
  return undefined;
}

/** A recipient as far as audiences are concerned. */
export interface AudienceMember {
  readonly unitCode: string;
  readonly groupId: string;
  readonly submitted: boolean;
  readonly declined: boolean;
}

/**
 * Whether a recipient belongs to the audience. Accounts that declined the identity or attestation
 * step said they are not the person named, so no broadcast goes to them.
 */
export function inAudience(audience: Audience, member: AudienceMember): boolean {
  if (member.declined) return false;
  switch (audience.kind) {
    case "all":
      return true;
    case "not-submitted":
      return !member.submitted;
    case "unit":
      return member.unitCode === audience.unit;
    case "group":
      return member.groupId === audience.group;
  }
}
