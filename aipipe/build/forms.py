"""The forms a function's artifact ships in, as plain names: light enough for the code generator and the
kinds to import on every command (`validate` loads the kinds and must not load the builder)."""

ZIP = "zip"  # uploaded with the function
S3_OBJECT = "s3"  # a zip over Lambda's direct-upload limit, through an S3 object
IMAGE = "image"  # a container image's build context
SOURCE = "source"  # a source archive the cloud builds from (gcp)

# the docker platform of each Lambda architecture (the AWS Lambda base images are multi-platform)
DOCKER_PLATFORM = {"x86_64": "linux/amd64", "arm64": "linux/arm64"}
