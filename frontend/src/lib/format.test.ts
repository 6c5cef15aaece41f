import { formatDuration } from "@/lib/format";

describe("formatDuration", () => {
  it.each([
    [0, "0 s"],
    [12, "12 s"],
    [60, "1 min"],
    [299, "4 min 59 s"],
    [3720, "1 h 2 min"],
    [7200, "2 h"],
  ])("%i seconds reads %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
