/**
 * Chromium's insertable streams for camera tracks, which TypeScript's DOM library does not
 * describe yet: a processor reads a track's frames, a generator is a track fed with frames.
 */
declare global {
  interface MediaStreamTrackProcessorInit {
    track: MediaStreamTrack;
    /** Frames kept while the reader is busy; older ones are dropped, so a slow reader never lags. */
    maxBufferSize?: number;
  }
  interface MediaStreamTrackProcessor {
    readonly readable: ReadableStream<VideoFrame>;
  }
  var MediaStreamTrackProcessor:
    | {
        prototype: MediaStreamTrackProcessor;
        new (init: MediaStreamTrackProcessorInit): MediaStreamTrackProcessor;
      }
    | undefined;

  interface MediaStreamTrackGenerator extends MediaStreamTrack {
    readonly writable: WritableStream<VideoFrame>;
  }
  var MediaStreamTrackGenerator:
    | {
        prototype: MediaStreamTrackGenerator;
        new (init: { kind: "video" }): MediaStreamTrackGenerator;
      }
    | undefined;
}

export {};
