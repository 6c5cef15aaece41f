import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";

import type { components } from "@/client/schema";
import { api, unwrap } from "@/lib/api-client";

export type AuditPage = components["schemas"]["AdminAuditPage"];
export type AuditRecord = components["schemas"]["AuditRecordRead"];

export interface AuditParams {
  action: string;
  limit: number;
  offset: number;
}

/** One page of every chain's records, newest first, with the verification of all chains. */
export async function getAudit({ action, limit, offset }: AuditParams): Promise<AuditPage> {
  const query = { limit, offset, verify: true, ...(action.trim() ? { action: action.trim() } : {}) };
  return unwrap(await api.GET("/admin/audit", { params: { query } }));
}

export function auditQueryOptions(params: AuditParams) {
  return queryOptions({
    queryKey: ["admin", "audit", params],
    queryFn: () => getAudit(params),
    placeholderData: keepPreviousData,
  });
}

export function useAudit(params: AuditParams) {
  return useQuery(auditQueryOptions(params));
}
