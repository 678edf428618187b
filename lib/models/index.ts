import { ensureBackend } from '../backend';
import { stream } from '../random';
import type { Model, ModelSpec } from './model';
import { LeNet, Vgg } from './convnets';
import { Mlp } from './mlp';
import { PreActResNet18, ResNet18 } from './resnet';

export type { ApplyOptions, HiddenMix, Model, ModelSpec } from './model';
export { checkMix } from './model';
export { PreActResNet18, ResNet18 } from './resnet';
export { Mlp } from './mlp';
export { LeNet, Vgg } from './convnets';

/** Builds a model with weights from the run seed's 'init' stream. */
export function buildModel(spec: ModelSpec, seed: number): Model {
  ensureBackend();
  const rng = stream(seed, 'init');
  switch (spec.kind) {
    case 'preact-resnet18':
      return new PreActResNet18('preact-resnet18', spec, rng);
    case 'resnet18':
      return new ResNet18('resnet18', spec, rng);
    case 'mlp':
      return new Mlp(spec, rng);
    case 'lenet':
      return new LeNet(spec, rng);
    case 'vgg':
      return new Vgg(spec, rng);
    default:
      throw new Error(
        `unknown model kind '${(spec as { kind: string }).kind}': use preact-resnet18, resnet18, mlp, lenet or vgg`,
      );
  }
}
