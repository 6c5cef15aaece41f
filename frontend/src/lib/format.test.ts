import { formatDuration, formatGreek } from "@/lib/format";

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

describe("formatGreek", () => {
  it.each([
    [12.3456, 2, "12.35"],
    [-1234.5, 1, "-1,234.5"],
    [-0.001, 2, "0.00"],
    [0, 2, "0.00"],
    [null, 2, "—"],
    [Number.NaN, 2, "—"],
  ] as const)("%s with %i digits reads %s", (value, digits, text) => {
    expect(formatGreek(value, digits)).toBe(text);
  });
});
