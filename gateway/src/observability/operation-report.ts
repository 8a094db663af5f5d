import type { Logger } from '@ficus/kit/service';
import type { AdmittedOperation } from '../pipeline/admission';
import type { OperationDurations } from './operation-durations';
import { OperationNameLabels, unvalidatedOperation } from './operation-names';
import { CodedError, outcomeOf } from './operation-outcome';
import type { OverrideOutcomes } from './override-outcomes';

/** An operation's end, as the transport that answered it knows it. */
export interface OperationEnd {
  /** `performance.now()` when its request arrived. */
  startedAt: number;
  /** Absent when the request was refused before its operation validated. */
  admitted: AdmittedOperation | undefined;
  errors: readonly CodedError[] | undefined;
  /** From the apollographql-client-name and -version headers. */
  client?: { name: string; version: string };
  /** The request's logger (it carries the request id and the trace id), made when first asked for. */
  log(): Logger;
}

export type ReportOperation = (end: OperationEnd) => void;

/** Distinct operation names given their own label value; later ones are `(other)`. */
const maxOperationNames = 100;

/**
 * One duration sample and one log line per query or mutation, at the one place the gateway
 * answers it (and one sample per @override label drawn for it, when `overrides` is given). The
 * log line is built only when info is logged (LOG_LEVEL=warn skips it).
 */
export function operationReport(durations: OperationDurations, logger: Logger, overrides?: OverrideOutcomes): ReportOperation {
  const names = new OperationNameLabels(maxOperationNames);
  return ({ startedAt, admitted, errors, client, log }) => {
    const durationMs = performance.now() - startedAt;
    const operation = admitted?.operation;
    const outcome = outcomeOf(errors);
    const type = operation?.operation ?? 'unknown';
    durations.observe(operation ? names.labelOf(operation.name?.value) : unvalidatedOperation, type, outcome, durationMs / 1000);
    overrides?.observe(admitted, outcome, durationMs / 1000);
    if (!logger.isLevelEnabled('info')) return;
    log().info(
      {
        operationName: operation?.name?.value ?? null,
        operationType: type,
        client: client && (client.name || client.version) ? client : null,
        durationMs: Math.round(durationMs * 10) / 10,
        outcome,
        errorCodes: errors?.length ? errors.map((e) => e.extensions?.code ?? 'UNKNOWN') : [],
      },
      'graphql operation',
    );
  };
}
