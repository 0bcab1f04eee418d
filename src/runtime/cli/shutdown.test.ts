import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger.ts';
import { describeFatal } from './fatal.ts';
import { handleShutdownSignals } from './shutdown.ts';

function capturingLogger(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), text: () => lines.join('') };
}

/** Emits a signal to this process's listeners only (no real signal is sent). */
function emit(signal: NodeJS.Signals): void {
  process.emit(signal, signal);
}

describe('graceful shutdown', () => {
  it('stops, then exits 0', async () => {
    const { logger, text } = capturingLogger();
    const codes: number[] = [];
    let stopped = false;
    const remove = handleShutdownSignals({
      logger,
      timeoutMs: 1_000,
      signals: ['SIGUSR2'],
      exit: (code) => codes.push(code),
      stop: async () => {
        stopped = true;
      },
    });
    try {
      emit('SIGUSR2');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(stopped).toBe(true);
      expect(codes).toEqual([0]);
      expect(text()).toContain('shutdown complete');
    } finally {
      remove();
    }
  });

  it('forces exit 1 with a log line when stopping takes longer than the timeout, and on a second signal', async () => {
    const { logger, text } = capturingLogger();
    const codes: number[] = [];
    const remove = handleShutdownSignals({
      logger,
      timeoutMs: 50,
      signals: ['SIGUSR2'],
      exit: (code) => codes.push(code),
      stop: () => new Promise(() => undefined),
    });
    try {
      emit('SIGUSR2');
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(codes).toEqual([1]);
      expect(text()).toContain('shutdown did not finish in time; forcing exit');
      emit('SIGUSR2');
      expect(codes).toEqual([1, 1]);
    } finally {
      remove();
    }
  });

  it('exits 1 when stopping fails', async () => {
    const { logger } = capturingLogger();
    const codes: number[] = [];
    const remove = handleShutdownSignals({
      logger,
      timeoutMs: 1_000,
      signals: ['SIGUSR2'],
      exit: (code) => codes.push(code),
      stop: () => Promise.reject(new Error('store would not close')),
    });
    try {
      emit('SIGUSR2');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(codes).toEqual([1]);
    } finally {
      remove();
    }
  });
});

describe('start-up failures', () => {
  it('print one line, and scrub secret values even from foreign messages', () => {
    const secret = 'super-secret-admin-value';
    const fatal = describeFatal(new Error(`boom:\n  ${secret} leaked`), { TRIBUTARY_ADMIN_KEY: secret });
    expect(fatal.exitCode).toBe(1);
    expect(fatal.line).toBe('Tributary could not start: boom: [redacted] leaked');
  });

  it('describe a busy port plainly', () => {
    const error = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', syscall: 'listen', address: '127.0.0.1', port: 3000 });
    expect(describeFatal(error, {}).line).toBe('Tributary could not start: address 127.0.0.1:3000 is already in use (choose another with --port / --host)');
  });
});
