// Types for the part of cornerstone-core 2.x the viewer uses; the package ships none.
declare module 'cornerstone-core' {
  export interface CornerstoneImage {
    imageId: string;
    minPixelValue: number;
    maxPixelValue: number;
    slope: number;
    intercept: number;
    windowCenter: number;
    windowWidth: number;
    getPixelData(): ArrayLike<number>;
    rows: number;
    columns: number;
    height: number;
    width: number;
    color: boolean;
    columnPixelSpacing: number;
    rowPixelSpacing: number;
    invert: boolean;
    sizeInBytes: number;
  }

  export interface Viewport {
    scale: number;
    translation: { x: number; y: number };
    voi: { windowWidth: number; windowCenter: number };
    invert: boolean;
    pixelReplication: boolean;
    rotation: number;
    hflip: boolean;
    vflip: boolean;
  }

  export interface EnabledElement {
    element: HTMLElement;
    canvas: HTMLCanvasElement;
    image?: CornerstoneImage;
    viewport?: Viewport;
  }

  export interface ImageLoadObject {
    promise: Promise<CornerstoneImage>;
    cancelFn?: () => void;
  }

  export interface Transform {
    m: [number, number, number, number, number, number];
  }

  export function enable(element: HTMLElement, options?: object): void;
  export function disable(element: HTMLElement): void;
  export function displayImage(
    element: HTMLElement,
    image: CornerstoneImage,
    viewport?: Partial<Viewport>,
  ): void;
  export function getViewport(element: HTMLElement): Viewport | undefined;
  export function setViewport(element: HTMLElement, viewport: Partial<Viewport>): void;
  export function getEnabledElement(element: HTMLElement): EnabledElement;
  export function loadAndCacheImage(imageId: string): Promise<CornerstoneImage>;
  export function registerImageLoader(scheme: string, loader: (imageId: string) => ImageLoadObject): void;
  export function pageToPixel(element: HTMLElement, pageX: number, pageY: number): { x: number; y: number };
  export function pixelToCanvas(
    element: HTMLElement,
    point: { x: number; y: number },
  ): { x: number; y: number };
  export function resize(element: HTMLElement, fitViewportToWindow?: boolean): void;
  export function reset(element: HTMLElement): void;
  export function fitToWindow(element: HTMLElement): void;
  export function updateImage(element: HTMLElement): void;
  export function getDefaultViewportForImage(element: HTMLElement, image: CornerstoneImage): Viewport;
  export const internal: { getTransform(enabledElement: EnabledElement): Transform };
  export const EVENTS: { IMAGE_RENDERED: string };
  export const imageCache: {
    purgeCache(): void;
    setMaximumSizeBytes(bytes: number): void;
    /** The cache entry of an image being loaded or loaded, or undefined. */
    getImageLoadObject(imageId: string): { promise: Promise<CornerstoneImage> } | undefined;
    /** Adds an entry (throws if the id has one); the entry is dropped again if the promise rejects. */
    putImageLoadObject(imageId: string, imageLoadObject: { promise: Promise<CornerstoneImage> }): void;
  };
}
