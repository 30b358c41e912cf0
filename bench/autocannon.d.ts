// The part of autocannon's result the bench reads (the package ships no types).
declare module 'autocannon' {
  interface Stats {
    average: number;
    total: number;
    p99: number;
  }
  interface Result {
    requests: Stats;
    latency: Stats;
    duration: number;
    non2xx: number;
    errors: number;
    timeouts: number;
  }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    headers?: Record<string, string>;
  }
  function autocannon(opts: Options): Promise<Result>;
  export default autocannon;
}
