import { useMutation, useQueryClient } from "@tanstack/react-query";

import {
  type BrokerAccountUpdate,
  brokerQueryKey,
  type BrokerStatus,
  type BrokerTestResult,
} from "@/features/broker/api/get-broker";
import { api, unwrap } from "@/lib/api-client";

/** Choose the broker and store its settings; the server rebuilds the session. */
export async function updateBroker(clientId: string, body: BrokerAccountUpdate): Promise<BrokerStatus> {
  return unwrap(await api.PUT("/clients/{client_id}/broker", { params: { path: { client_id: clientId } }, body }));
}

/** Try a connection with these settings; nothing is saved. */
export async function testBroker(clientId: string, body: BrokerAccountUpdate): Promise<BrokerTestResult> {
  return unwrap(
    await api.POST("/clients/{client_id}/broker/test", { params: { path: { client_id: clientId } }, body }),
  );
}

/** Drop the broker session and connect again. */
export async function reconnectBroker(clientId: string): Promise<BrokerStatus> {
  return unwrap(
    await api.POST("/clients/{client_id}/broker/reconnect", { params: { path: { client_id: clientId } } }),
  );
}

export function useUpdateBroker(clientId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ["clients", clientId, "broker", "update"],
    mutationFn: (body: BrokerAccountUpdate) => updateBroker(clientId, body),
    onSuccess: (status) => queryClient.setQueryData(brokerQueryKey(clientId), status),
  });
}

export function useTestBroker(clientId: string) {
  return useMutation({
    mutationKey: ["clients", clientId, "broker", "test"],
    mutationFn: (body: BrokerAccountUpdate) => testBroker(clientId, body),
  });
}

export function useReconnectBroker(clientId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ["clients", clientId, "broker", "reconnect"],
    mutationFn: () => reconnectBroker(clientId),
    onSuccess: (status) => queryClient.setQueryData(brokerQueryKey(clientId), status),
  });
}
