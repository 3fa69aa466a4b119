/**
 * The REST client's user agent with the runner's orchestration id, as @actions/github adds it
 * (`actions_orchestration_id/<id>`, the id's unusual characters replaced by `_`).
 */
export function userAgentWithOrchestrationId(userAgent: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const id = env.ACTIONS_ORCHESTRATION_ID?.trim();
  if (!id) return userAgent;
  const tag = `actions_orchestration_id/${id.replace(/[^a-z0-9_.-]/gi, '_')}`;
  if (userAgent?.includes(tag)) return userAgent;
  return `${userAgent ? `${userAgent} ` : ''}${tag}`;
}
