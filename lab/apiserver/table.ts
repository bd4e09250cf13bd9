// meta.k8s.io/v1 Table responses, which `kubectl get` asks for and prints as columns.
import type { Column, Obj, ResourceType } from './types.js';

export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

export function wantsTable(accept: string): boolean {
  return accept.split(',').some((a) => /as=Table/.test(a) && /v=v1(;|$)/.test(a) && /g=meta\.k8s\.io/.test(a));
}

export function table(t: ResourceType, items: Obj[], meta: Obj, includeObject: string | null): Obj {
  const cols: Column[] = t.columns ?? [
    { name: 'Name', cell: (o: Obj) => o.metadata.name },
    { name: 'Age', cell: () => '' },
  ];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: meta,
    columnDefinitions: cols.map((c, i) => ({
      name: c.name,
      type: c.type ?? 'string',
      format: i === 0 && c.name === 'Name' ? 'name' : '',
      description: '',
      priority: c.priority ?? 0,
    })),
    rows: items.map((o) => ({
      cells: cols.map((c) => c.cell(o)),
      ...(includeObject === 'None'
        ? {}
        : {
            object:
              includeObject === 'Object'
                ? o
                : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
          }),
    })),
  };
}
