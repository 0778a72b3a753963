/** Catalogue item names for lists that carry only the id: read once per page load from GET /api/catalogue. */
import { ref, type Ref } from 'vue';
import { api } from '../../api';

interface CatalogueAnswer {
  items: { id: string; name: string; category: string }[];
}

const names = ref<Record<string, string>>({});
let loading: Promise<void> | null = null;

/** A reactive map id → 「名称」; the id itself stands in until (or if never) it is known. */
export function useCatalogueNames(): { nameOf: (id: string) => string; names: Readonly<Ref<Record<string, string>>> } {
  loading ??= api
    .get<CatalogueAnswer>('/api/catalogue')
    .then((answer) => {
      names.value = Object.fromEntries(answer.items.map((item) => [item.id, item.name]));
    })
    .catch(() => {
      // Names are a convenience: the id is shown instead, and the next page load tries again.
      loading = null;
    });
  return { nameOf: (id: string) => names.value[id] ?? id, names };
}
