/** Injected faults: match a request, optionally delay, optionally answer with a canned error. */
import { z } from 'zod';

export const FaultSchema = z.object({
  match: z
    .object({
      method: z.string().optional(),
      /** Substring (or exact) match on the request path, query string included. */
      path: z.string().optional(),
      /** GraphQL operation name, or "mutation"/"query" for any operation of that type. */
      operation: z.string().optional(),
    })
    .optional()
    .default({}),
  status: z.number().int().min(100).max(599).optional(),
  headers: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
  delayMs: z.number().int().nonnegative().optional(),
  /** How many requests the fault applies to; unlimited when omitted. */
  times: z.number().int().positive().optional(),
});

export type Fault = z.input<typeof FaultSchema>;
type ParsedFault = z.output<typeof FaultSchema>;

export interface FaultTarget {
  method: string;
  path: string;
  operation: string | null;
  operationType: string | null;
}

interface ActiveFault {
  fault: ParsedFault;
  remaining: number;
}

export class FaultList {
  private faults: ActiveFault[] = [];

  add(f: Fault): void {
    const fault = FaultSchema.parse(f);
    this.faults.push({ fault, remaining: fault.times ?? Infinity });
  }

  clear(): void {
    this.faults = [];
  }

  list(): ParsedFault[] {
    return this.faults.map((f) => f.fault);
  }

  /** Finds the first matching fault with uses left and consumes one use. */
  take(t: FaultTarget): ParsedFault | null {
    for (const active of this.faults) {
      if (active.remaining <= 0) continue;
      const m = active.fault.match;
      if (m.method && m.method.toUpperCase() !== t.method.toUpperCase()) continue;
      if (m.path && !(t.path === m.path || t.path.includes(m.path))) continue;
      if (m.operation) {
        const op = m.operation;
        const isType = op === 'mutation' || op === 'query';
        if (isType ? t.operationType !== op : t.operation !== op) continue;
      }
      active.remaining--;
      return active.fault;
    }
    return null;
  }
}
