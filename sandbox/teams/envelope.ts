/**
 * What a Teams Workflows webhook accepts as a message: the Adaptive Card envelope.
 * Returns null when the body is well formed, else a one-line reason (the 400's message).
 */
export function checkAdaptiveCardEnvelope(body: unknown): string | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'The request body must be a JSON object.';
  const message = body as { type?: unknown; attachments?: unknown };
  if (message.type !== 'message') return "The property 'type' must be 'message'.";
  if (!Array.isArray(message.attachments) || message.attachments.length === 0) return "The property 'attachments' must be a non-empty array.";
  for (const [index, attachment] of message.attachments.entries()) {
    if (attachment === null || typeof attachment !== 'object') return `attachments[${index}] must be an object.`;
    const { contentType, content } = attachment as { contentType?: unknown; content?: unknown };
    if (contentType !== 'application/vnd.microsoft.card.adaptive') return `attachments[${index}].contentType must be 'application/vnd.microsoft.card.adaptive'.`;
    if (content === null || typeof content !== 'object') return `attachments[${index}].content must be an Adaptive Card object.`;
    const card = content as { type?: unknown; version?: unknown; body?: unknown };
    if (card.type !== 'AdaptiveCard') return `attachments[${index}].content.type must be 'AdaptiveCard'.`;
    if (typeof card.version !== 'string' || !/^1\.\d+$/.test(card.version)) return `attachments[${index}].content.version must be an Adaptive Card version such as '1.4'.`;
    if (!Array.isArray(card.body)) return `attachments[${index}].content.body must be an array.`;
    for (const [i, element] of card.body.entries()) {
      if (element === null || typeof element !== 'object' || typeof (element as { type?: unknown }).type !== 'string') {
        return `attachments[${index}].content.body[${i}] must be an element with a 'type'.`;
      }
    }
  }
  return null;
}
