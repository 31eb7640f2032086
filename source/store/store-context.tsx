import {createContext, type ReactNode, useContext} from 'react';
import type {StoreApi} from 'zustand/vanilla';
import {useStore} from 'zustand';
import type {AppStore} from './create-app-store.js';

const StoreContext = createContext<StoreApi<AppStore> | undefined>(undefined);

export type StoreProviderProps = {
	readonly store: StoreApi<AppStore>;
	readonly children: ReactNode;
};

/** Gives the components below it the run's store (one per run, one per test). */
export function StoreProvider({store, children}: StoreProviderProps) {
	return (
		<StoreContext.Provider value={store}>{children}</StoreContext.Provider>
	);
}

/**
Selects from the store; the component re-renders only when what it selects changes. Selectors must
return stored objects or primitives, never fresh ones (zustand 5 loops on a new reference).
*/
export function useAppStore<T>(selector: (state: AppStore) => T): T {
	const store = useContext(StoreContext);
	if (!store) {
		throw new Error('useAppStore: no StoreProvider above this component');
	}

	return useStore(store, selector);
}

/** The store itself, for reading fresh state inside event handlers (keys) without re-rendering. */
export function useAppStoreApi(): StoreApi<AppStore> {
	const store = useContext(StoreContext);
	if (!store) {
		throw new Error('useAppStoreApi: no StoreProvider above this component');
	}

	return store;
}
