/** The convolutions of PreAct ResNet-18 at a width (lib/models/resnet): input size, channels, kernel, stride, how many. */
export interface ConvShape {
  size: number;
  cin: number;
  cout: number;
  k: number;
  stride: number;
  count: number;
}

export function convShapes(w: number): ConvShape[] {
  return [
    { size: 32, cin: 3, cout: w, k: 3, stride: 1, count: 1 },
    { size: 32, cin: w, cout: w, k: 3, stride: 1, count: 4 },
    ...[1, 2, 3].flatMap((i) => {
      const cin = w * 2 ** (i - 1),
        cout = 2 * cin,
        size = 32 / 2 ** (i - 1);
      return [
        { size, cin, cout, k: 3, stride: 2, count: 1 },
        { size: size / 2, cin: cout, cout, k: 3, stride: 1, count: 3 },
        { size, cin, cout, k: 1, stride: 2, count: 1 },
      ];
    }),
  ];
}
