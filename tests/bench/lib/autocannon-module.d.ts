// The slice of autocannon's API the fallback load generator uses (the package ships no types).
declare module 'autocannon' {
  interface AutocannonOptions {
    url: string;
    method?: string;
    body?: string;
    headers?: Record<string, string>;
    connections?: number;
    duration?: number;
    overallRate?: number;
  }
  function autocannon(options: AutocannonOptions): Promise<unknown>;
  export default autocannon;
}
