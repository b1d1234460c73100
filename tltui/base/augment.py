"""The training augmentations a study may name ([data] augment), applied by tltui/core/batches.py."""

AUGMENTS = ("none", "crop-flip")
"""`none`: the images as they are (the demo); `crop-flip`: torchvision's RandomResizedCrop (scale 0.08–1, ratio
3/4–4/3, back to the image's size) and RandomHorizontalFlip (p = 0.5), per image, on every training job."""
