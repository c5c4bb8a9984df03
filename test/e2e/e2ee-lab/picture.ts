/**
 * What a receiver's <video> shows, reduced to the mean colour of its left and right halves: with
 * the still red/blue camera (helpers/e2ee-lab.ts) this tells a decoded picture from what a decoder
 * makes of ciphertext. Shared by the e2ee lab and the SFU lab.
 */

/** The mean colour (r, g, b) of the left and right halves of what a receiver's <video> shows. */
export interface Picture {
  left: number[];
  right: number[];
}

/** Null while the video has shown no picture at all. */
export function picture(video: HTMLVideoElement | undefined): Picture | null {
  if (!video?.videoWidth) return null;
  const [width, height] = [32, 24];
  const canvas = document.createElement("canvas");
  Object.assign(canvas, { width, height });
  const context = canvas.getContext("2d")!;
  context.drawImage(video, 0, 0, width, height);
  const pixels = context.getImageData(0, 0, width, height).data;
  const mean = (from: number, to: number) => {
    const sum = [0, 0, 0];
    for (let y = 0; y < height; y++)
      for (let x = from; x < to; x++) for (let c = 0; c < 3; c++) sum[c]! += pixels[(y * width + x) * 4 + c]!;
    return sum.map((value) => Math.round(value / (height * (to - from))));
  };
  // Away from the middle, where the codec blurs the two halves into each other.
  return { left: mean(2, width / 2 - 4), right: mean(width / 2 + 4, width - 2) };
}
