import { onBeforeUnmount, ref, type Ref } from 'vue';

/**
 * Whether the window is as narrow as a phone (under 768 px, Element Plus's `sm` breakpoint),
 * kept up to date as it turns or is resized. Reviewers open a package from a phone too: there a
 * table of facts three pairs wide leaves each label one character a line.
 */
export function useNarrowScreen(): Ref<boolean> {
  const query = window.matchMedia('(max-width: 767.98px)');
  const narrow = ref(query.matches);
  const follow = (event: MediaQueryListEvent) => {
    narrow.value = event.matches;
  };
  query.addEventListener('change', follow);
  onBeforeUnmount(() => query.removeEventListener('change', follow));
  return narrow;
}
