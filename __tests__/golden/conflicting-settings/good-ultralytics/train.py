from ultralytics import YOLO

model = YOLO("yolo11n.pt")
results = model.train(data="data/parts.yaml", epochs=2, warmup_epochs=0.2, batch=32, imgsz=640, optimizer="AdamW", lr0=1e-3)
