// The Model page's calls to the API (metrics report, threshold preview and choice, saving and applying a
// threshold), on relative URLs like every other call. Failures throw ApiError with the server's problem
// detail, as api-client.ts does, for the page to show in a toast.
import type { Job } from '../src/shared/api-types.ts';
import type { MetricsReport, ThresholdChoice, ThresholdPreview } from '../src/shared/metrics-types.ts';
import { json } from './api-client.ts';

const call = json;

const query = (params: Record<string, string | number | undefined>) =>
  new URLSearchParams(
    Object.entries(params)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, String(value)]),
  ).toString();

export const metricsApi = {
  report: (model?: string) =>
    call<MetricsReport>('Loading the model metrics', `/api/metrics?${query({ model })}`),
  preview: (model: string, threshold: number) =>
    call<ThresholdPreview>('Previewing the threshold', `/api/metrics/preview?${query({ model, threshold })}`),
  calibrate: (model: string, target: { sensitivity: number } | { fpPerScan: number }) =>
    call<ThresholdChoice>('Choosing a threshold', `/api/metrics/calibrate?${query({ model, ...target })}`),
  saveThreshold: (model: string, threshold: number) =>
    call<{ threshold: number }>(
      'Saving the threshold',
      `/api/models/${encodeURIComponent(model)}/threshold`,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ threshold }),
      },
    ),
  applyThreshold: (model: string) =>
    call<Job>('Applying the saved threshold', `/api/models/${encodeURIComponent(model)}/threshold/apply`, {
      method: 'POST',
    }),
};
