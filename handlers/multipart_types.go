package handlers

import "s3gateway/service"

// Resumable uploads.

type createUploadRequest struct {
	Name        string            `json:"name" validate:"required" example:"videos/trip.mp4"`
	ContentType string            `json:"contentType,omitempty" example:"video/mp4"`
	Metadata    map[string]string `json:"metadata,omitempty"`
} // @name CreateUploadRequest

type createUploadResponse struct {
	UploadID string `json:"uploadId" validate:"required"`
	Name     string `json:"name" validate:"required" example:"videos/trip.mp4"`
	PartSize int64  `json:"partSize" validate:"required" format:"int64" example:"8388608"`
} // @name MultipartUpload

func toCreateUploadResponse(u service.MultipartUpload) createUploadResponse {
	return createUploadResponse{UploadID: u.UploadID, Name: u.Name, PartSize: u.PartSize}
}

type signPartsRequest struct {
	Name        string `json:"name" validate:"required" example:"videos/trip.mp4"`
	PartNumbers []int  `json:"partNumbers" validate:"required" minItems:"1" maxItems:"1000" example:"1,2,3"`
	ExpiresIn   *int64 `json:"expiresIn,omitempty" minimum:"1" maximum:"604800" default:"3600"`
} // @name SignPartsRequest

type signedPartBody struct {
	PartNumber int    `json:"partNumber" validate:"required" minimum:"1" maximum:"10000" example:"1"`
	URL        string `json:"url" validate:"required"`
	ExpiresAt  string `json:"expiresAt" validate:"required" format:"date-time"`
} // @name SignedPart

type signPartsResponse struct {
	Parts []signedPartBody `json:"parts" validate:"required"`
} // @name SignedParts

func toSignPartsResponse(ps []service.SignedPart) signPartsResponse {
	out := signPartsResponse{Parts: make([]signedPartBody, len(ps))}
	for i, p := range ps {
		out.Parts[i] = signedPartBody{PartNumber: p.PartNumber, URL: p.URL, ExpiresAt: formatTime(p.ExpiresAt)}
	}
	return out
}

type uploadPartBody struct {
	PartNumber int    `json:"partNumber" validate:"required" minimum:"1" maximum:"10000" example:"1"`
	ETag       string `json:"etag" validate:"required" example:"5d41402abc4b2a76b9719d911017c592"`
	Size       int64  `json:"size" validate:"required" format:"int64" example:"8388608"`
} // @name UploadPart

type listPartsResponse struct {
	Parts []uploadPartBody `json:"parts" validate:"required"`
} // @name UploadParts

func toListPartsResponse(ps []service.UploadPart) listPartsResponse {
	out := listPartsResponse{Parts: make([]uploadPartBody, len(ps))}
	for i, p := range ps {
		out.Parts[i] = uploadPartBody{PartNumber: p.PartNumber, ETag: p.ETag, Size: p.Size}
	}
	return out
}

type completedPartBody struct {
	PartNumber int    `json:"partNumber" validate:"required" minimum:"1" maximum:"10000" example:"1"`
	ETag       string `json:"etag" validate:"required" example:"5d41402abc4b2a76b9719d911017c592"`
} // @name CompletedPart

type completeUploadRequest struct {
	Name  string              `json:"name" validate:"required" example:"videos/trip.mp4"`
	Parts []completedPartBody `json:"parts" validate:"required" minItems:"1" maxItems:"10000"`
} // @name CompleteUploadRequest

func toCompletedParts(bs []completedPartBody) []service.UploadPart {
	out := make([]service.UploadPart, len(bs))
	for i, b := range bs {
		out[i] = service.UploadPart{PartNumber: b.PartNumber, ETag: b.ETag}
	}
	return out
}
