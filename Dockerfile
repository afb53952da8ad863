# A plain image for the web, worker and beat processes (docker-compose.yml runs all three).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Hashed static files are built into the image; WhiteNoise serves them.
RUN DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 0
RUN useradd --create-home crisisdesk
USER crisisdesk
EXPOSE 8000
CMD ["gunicorn", "crisisdesk.wsgi", "--workers", "2", "--threads", "4", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
