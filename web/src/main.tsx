import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ApiRequestError } from './api/client';
import { SessionProvider } from './api/context';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Live messages keep cached lists current; refetch on focus only after a while.
      staleTime: 10_000,
      // A 4xx will not change by retrying; network errors get two more tries.
      retry: (failures, error) => !(error instanceof ApiRequestError && error.status < 500) && failures < 2,
    },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <App />
      </SessionProvider>
    </QueryClientProvider>
  </StrictMode>,
);
