/** The SDP's sections: the session first, then one per m= line, each as its lines (for the SDP tests). */
export function sections(sdp: string): string[][] {
  const result: string[][] = [[]];
  for (const line of sdp.split("\r\n")) {
    if (line.startsWith("m=")) result.push([]);
    result.at(-1)?.push(line);
  }
  return result;
}
