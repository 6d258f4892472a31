// Small pieces every page of the desk shares.
import { Problem } from './api';

export type User = { id: number; email: string; name: string; role: string; notify?: string };
export type Staff = { id: number; email: string; name: string; role: string; services: string[] };

export function ProblemText({ problem }: { problem?: Problem }) {
  if (!problem) return null;
  return <p class="error" role="alert">{problem.title}: {problem.detail}</p>;
}

// Minutes as hours with two decimals: 150 is "2.50".
export function hours(minutes: number): string {
  return (minutes / 60).toFixed(2);
}

export type Service = { service: string; name: string; organisation: string; promised_kinds?: string[] };
